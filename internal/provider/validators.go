package provider

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// Limits of an AssumeRole session (STS DurationSeconds: 900 to 43200).
const (
	minSessionDuration = 15 * time.Minute
	maxSessionDuration = 12 * time.Hour
)

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)

// stringCheck is a plan-time string validator built from a check function;
// the check returns the reason a known, non-empty value is invalid.
type stringCheck struct {
	desc  string
	check func(string) error
}

func (v stringCheck) Description(context.Context) string         { return v.desc }
func (v stringCheck) MarkdownDescription(context.Context) string { return v.desc }

func (v stringCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() == "" {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+req.Path.String(), err.Error())
	}
}

// sessionDuration accepts a Go duration between 15m and 12h.
func sessionDuration() validator.String {
	return stringCheck{desc: "a duration between 15m and 12h, e.g. 1h", check: parseSessionDuration}
}

func parseSessionDuration(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("%q is not a duration like \"1h\" or \"90m\": %w", s, err)
	}
	if d < minSessionDuration || d > maxSessionDuration {
		return fmt.Errorf("%q is outside the range AssumeRole allows (15m to 12h)", s)
	}
	return nil
}

// roleARN accepts an IAM role ARN.
func roleARN() validator.String {
	return stringCheck{desc: "an IAM role ARN", check: func(s string) error {
		a, err := arn.Parse(s)
		if err != nil {
			return fmt.Errorf("%q is not an ARN: %w", s, err)
		}
		if a.Service != "iam" {
			return fmt.Errorf("%q is not an IAM role ARN (arn:<partition>:iam::<account>:role/<name>)", s)
		}
		return nil
	}}
}

// endpointURL accepts an absolute http(s) URL.
func endpointURL() validator.String {
	return stringCheck{desc: "an http:// or https:// URL", check: checkHTTPURL}
}

// proxyURL accepts a proxy URL.
func proxyURL() validator.String {
	return stringCheck{desc: "a proxy URL such as http://proxy.example.com:3128", check: checkHTTPURL}
}

func checkHTTPURL(s string) error {
	// The value is not echoed when it does not parse: a proxy URL may hold a
	// password.
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("the value is not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q must start with http:// or https://", u.Redacted())
	}
	if u.Host == "" {
		return fmt.Errorf("%q has no host", u.Redacted())
	}
	return nil
}

// regionPatterns are the Region name patterns of the AWS partitions (from
// the SDK's partitions.json: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b,
// aws-iso-e, aws-iso-f, aws-eusc).
var regionPatterns = regexp.MustCompile(`^(?:(?:us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+|cn-\w+-\d+|us-gov-\w+-\d+|` +
	`us-iso-\w+-\d+|us-isob-\w+-\d+|eu-isoe-\w+-\d+|us-isof-\w+-\d+|eusc-de-\w+-\d+)$`)

// knownRegion warns about a region that is no AWS Region name (a typo such
// as "us-west2" would otherwise surface as a DNS error on the first call).
// A warning, not an error: a new Region or an emulator's may not match.
func knownRegion() validator.String {
	return regionCheck{}
}

type regionCheck struct{}

func (regionCheck) Description(context.Context) string {
	return "an AWS Region name such as us-west-2"
}

func (v regionCheck) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (regionCheck) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if r := req.ConfigValue.ValueString(); !regionPatterns.MatchString(r) {
		resp.Diagnostics.AddAttributeWarning(req.Path, "Unknown AWS Region",
			fmt.Sprintf("%q is not the name of an AWS Region (such as \"us-west-2\" or \"eu-central-1\"). "+
				"Unless it is a new Region or a test endpoint's, check the spelling: API calls go to ecr.<region>.amazonaws.com.", r))
	}
}
