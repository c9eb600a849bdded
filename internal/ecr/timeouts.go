package ecr

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// Every resource has the same `timeouts` block (terraform-plugin-framework-
// timeouts): create, update and delete, each bounding the whole operation,
// its API calls, their retries and the waits for ECR's eventual
// consistency. Below them, every API call has its own deadlines (see the
// provider's transport.go), so that a hung endpoint fails an operation
// even with a long timeout.

// operationTimeouts are the defaults of a resource's timeouts, and what
// each operation waits for (in the documentation).
type operationTimeouts struct {
	create, update, delete          time.Duration
	createWaits, updateWaits, waits string // "" when the operation only calls the API
}

// block is the `timeouts` block.
func (o operationTimeouts) block(ctx context.Context) schema.Block {
	desc := func(verb string, d time.Duration, waits string) string {
		s := fmt.Sprintf("How long %s may take", verb)
		if waits != "" {
			s += ", including " + waits
		}
		// Rendered as given (plain text).
		return s + fmt.Sprintf(`. A duration such as "30s" or "5m" (units "s", "m", "h"); the default is %q.`, shortDuration(d))
	}
	return timeouts.Block(ctx, timeouts.Opts{
		Create: true, Update: true, Delete: true,
		CreateDescription: desc("creating", o.create, o.createWaits),
		UpdateDescription: desc("updating", o.update, o.updateWaits),
		DeleteDescription: desc("deleting", o.delete, o.waits),
	})
}

// shortDuration is "2m" rather than "2m0s".
func shortDuration(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}
