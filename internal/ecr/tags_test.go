package ecr_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// A key of tags that ignore_tags covers gets one warning naming it; other
// keys, and no ignore_tags at all, get none.
func TestWarnIgnoredTags(t *testing.T) {
	t.Parallel()
	tags := types.MapValueMust(types.StringType, map[string]attr.Value{
		"env": types.StringValue("prod"), "team": types.StringValue("a"), "ci-run": types.StringValue("1"),
	})
	meta := &framework.Meta{IgnoreTags: framework.IgnoreTags{Keys: []string{"team"}, KeyPrefixes: []string{"ci-"}}}
	diags := ecr.WarnIgnoredTags(meta, tags)
	if diags.HasError() || diags.WarningsCount() != 2 {
		t.Fatalf("diagnostics %v, want 2 warnings", diags)
	}
	for i, key := range []string{"ci-run", "team"} {
		if d := diags[i].Detail(); !strings.Contains(d, `"`+key+`"`) || !strings.Contains(d, "ignore_tags") {
			t.Errorf("warning %d: %q, want one naming %q and ignore_tags", i, d, key)
		}
	}
	if d := ecr.WarnIgnoredTags(&framework.Meta{}, tags); len(d) != 0 {
		t.Errorf("without ignore_tags: %v, want nothing", d)
	}
	if d := ecr.WarnIgnoredTags(meta, types.MapNull(types.StringType)); len(d) != 0 {
		t.Errorf("null tags: %v, want nothing", d)
	}
}
