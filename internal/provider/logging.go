package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/logging"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// logSubsystem is the tflog subsystem of the AWS SDK's messages. Its level
// can be set apart from the provider's with TF_LOG_PROVIDER_ECR_AWS.
const logSubsystem = "aws"

// sdkLogLevelEnv are the variables that set the level of the "aws"
// subsystem's messages, the first one set deciding: the subsystem's own,
// the provider's (tf6server), then Terraform's for every provider and for all.
var sdkLogLevelEnv = []string{"TF_LOG_PROVIDER_ECR_AWS", "TF_LOG_PROVIDER_ECR", "TF_LOG_PROVIDER", "TF_LOG"}

// sdkClientLogMode is what the SDK is asked to log: retries always (rare,
// and they explain a slow call), each request and response only when the
// "aws" subsystem logs at DEBUG or finer. The SDK dumps a request or response
// before the logger can drop it, and the dump is then redacted: doing that
// for every call when nobody reads the logs cost a plan of a thousand
// repositories a third of the provider's CPU and most of its allocations.
func sdkClientLogMode() aws.ClientLogMode {
	mode := aws.LogRetries
	for _, name := range sdkLogLevelEnv {
		v := strings.TrimSpace(os.Getenv(name))
		if v == "" {
			continue
		}
		switch strings.ToUpper(v) {
		case "TRACE", "DEBUG", "JSON": // JSON is Terraform's TRACE in JSON
			mode |= aws.LogRequest | aws.LogResponse
		}
		break
	}
	return mode
}

// maskedFieldKeys are field keys whose values are never logged.
var maskedFieldKeys = []string{
	"access_key", "secret_key", "token", "authorization_token", "authorizationToken", "password",
	"Authorization", "X-Amz-Security-Token",
}

// redactions rewrite the secrets in a dumped HTTP request or response: the
// signature header (it also names the access key id), the session token
// header, and token or password members of JSON and XML bodies.
var redactions = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`(?im)^(authorization|x-amz-security-token|proxy-authorization):[^\r\n]*`), "$1: [MASKED]"},
	{regexp.MustCompile(`(?i)"(authorizationToken|password|secretAccessKey|sessionToken|secretKey|token)"(\s*:\s*)"[^"]*"`), `"$1"$2"[MASKED]"`},
	{regexp.MustCompile(`(?i)<(SecretAccessKey|SessionToken)>[^<]*</`), "<$1>[MASKED]</"},
	{regexp.MustCompile(`(?i)(X-Amz-Security-Token=|X-Amz-Signature=|X-Amz-Credential=)[^&\s]*`), "$1[MASKED]"},
}

var requestIDPattern = regexp.MustCompile(`(?im)^x-amzn?-request-?id:\s*(\S+)`)

// secretSet holds credential values to mask wherever they appear.
type secretSet struct {
	mu     sync.RWMutex
	values []string
}

func newSecretSet(values ...string) *secretSet {
	s := &secretSet{}
	s.add(values...)
	return s
}

func (s *secretSet) add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) >= 4 { // masking tiny strings would garble every message
			s.values = append(s.values, v)
		}
	}
}

func (s *secretSet) list() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]string(nil), s.values...)
}

// sdkLogger routes the AWS SDK's logger into terraform-plugin-log, in the
// "aws" subsystem, with the region, operation and request id as fields and
// every secret masked.
type sdkLogger struct {
	ctx     context.Context
	secrets *secretSet
}

// WithContext implements logging.ContextLogger: the SDK passes the
// operation's context, which carries the Terraform logger.
func (l *sdkLogger) WithContext(ctx context.Context) logging.Logger {
	return &sdkLogger{ctx: ctx, secrets: l.secrets}
}

// Logf implements logging.Logger.
func (l *sdkLogger) Logf(classification logging.Classification, format string, v ...any) {
	ctx := l.ctx
	if ctx == nil {
		return // no operation context, so no Terraform logger
	}
	ctx = tflog.NewSubsystem(ctx, logSubsystem, tflog.WithLevelFromEnv("TF_LOG_PROVIDER_ECR", "AWS"))
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, logSubsystem, maskedFieldKeys...)
	if secrets := l.secrets.list(); len(secrets) > 0 {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, logSubsystem, secrets...)
		ctx = tflog.SubsystemMaskMessageStrings(ctx, logSubsystem, secrets...)
	}
	msg := redact(fmt.Sprintf(format, v...))
	fields := map[string]any{}
	if s := awsmiddleware.GetServiceID(ctx); s != "" {
		fields["aws.service"] = s
	}
	if s := awsmiddleware.GetOperationName(ctx); s != "" {
		fields["aws.operation"] = s
	}
	if s := awsmiddleware.GetRegion(ctx); s != "" {
		fields["aws.region"] = s
	}
	if m := requestIDPattern.FindStringSubmatch(msg); m != nil {
		fields["aws.request_id"] = m[1]
	}
	if classification == logging.Warn {
		tflog.SubsystemWarn(ctx, logSubsystem, msg, fields)
		return
	}
	tflog.SubsystemDebug(ctx, logSubsystem, msg, fields)
}

// redact masks the secrets in an SDK log message.
func redact(msg string) string {
	for _, r := range redactions {
		msg = r.re.ReplaceAllString(msg, r.repl)
	}
	return msg
}
