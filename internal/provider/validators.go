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
