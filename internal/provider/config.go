package provider

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
	"github.com/ecrkit/terraform-provider-ecr/internal/sdkhttp"
)

// defaultMaxAttempts is hashicorp/aws's default for max_retries.
const defaultMaxAttempts = 25

// credentialsTimeout bounds the credential check in Configure (the default
// chain may probe the EC2 instance metadata service).
const credentialsTimeout = 30 * time.Second

// configurer turns the provider block into a *framework.Meta.
type configurer struct {
	version          string
	terraformVersion string
	// backoff replaces the retryer's backoff (tests); nil keeps the SDK's.
	backoff retry.BackoffDelayer
	// deadlines replaces defaultDeadlines (tests); nil keeps them.
	deadlines *deadlines
	// partial is set when the configuration has unknown values (plan only):
	// unknown values count as unset, and checks that need the final
	// configuration (region, credentials) are skipped.
	partial bool
}

// configure loads the AWS configuration the way the AWS SDK does (every
// AWS_* variable, shared files, profiles), applies the provider block on top,
// and builds the ECR client. Each misconfiguration yields one diagnostic
// naming the setting.
func (c configurer) configure(ctx context.Context, m *providerModel) (*framework.Meta, diag.Diagnostics) {
	var diags diag.Diagnostics
	secrets := newSecretSet(m.AccessKey.ValueString(), m.SecretKey.ValueString(), m.Token.ValueString())
	logger := &sdkLogger{secrets: secrets}

	assumeRoles, d := listElements[assumeRoleModel](ctx, m.AssumeRole)
	diags.Append(d...)
	endpoints, d := listElements[endpointsModel](ctx, m.Endpoints)
	diags.Append(d...)
	defaultTags, d := listElements[defaultTagsModel](ctx, m.DefaultTags)
	diags.Append(d...)
	ignoreTags, d := listElements[ignoreTagsModel](ctx, m.IgnoreTags)
	diags.Append(d...)
	configFiles, d := stringList(ctx, m.SharedConfigFiles)
	diags.Append(d...)
	credFiles, d := stringList(ctx, m.SharedCredentialsFiles)
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}

	opts := []func(*config.LoadOptions) error{
		config.WithLogger(logger),
		config.WithClientLogMode(sdkClientLogMode()),
	}
	if v := m.Region.ValueString(); v != "" {
		opts = append(opts, config.WithRegion(v))
	}
	if v := m.Profile.ValueString(); v != "" {
		opts = append(opts, config.WithSharedConfigProfile(v))
	}
	if len(configFiles) > 0 {
		configFiles = expandHomeAll(configFiles)
		diags.Append(warnMissingFiles(path.Root("shared_config_files"), configFiles)...)
		opts = append(opts, config.WithSharedConfigFiles(configFiles))
	}
	if len(credFiles) > 0 {
		credFiles = expandHomeAll(credFiles)
		diags.Append(warnMissingFiles(path.Root("shared_credentials_files"), credFiles)...)
		opts = append(opts, config.WithSharedCredentialsFiles(credFiles))
	}
	if ak := m.AccessKey.ValueString(); ak != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(ak, m.SecretKey.ValueString(), m.Token.ValueString())))
	}
	if v := m.RetryMode.ValueString(); v != "" {
		mode, err := aws.ParseRetryMode(v)
		if err != nil {
			diags.AddAttributeError(path.Root("retry_mode"), "Invalid retry_mode", err.Error())
			return nil, diags
		}
		opts = append(opts, config.WithRetryMode(mode))
	}

	httpClient, d := c.httpClient(m)
	diags.Append(d...)
	ca, d := customCABundle(m)
	diags.Append(d...)
	if diags.HasError() {
		return nil, diags
	}
	opts = append(opts, config.WithHTTPClient(httpClient))
	if ca != nil {
		opts = append(opts, config.WithCustomCABundle(bytes.NewReader(ca)))
	}

	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		diags.Append(loadConfigError(m, err))
		return nil, diags
	}

	if cfg.Region == "" && !c.partial {
		diags.AddAttributeError(path.Root("region"), "No AWS Region configured",
			"The ecr provider needs the AWS Region of the registry. Set `region` in the provider block, "+
				"or the AWS_REGION (or AWS_DEFAULT_REGION) environment variable, or `region` in the profile "+
				"of the shared configuration file.")
		return nil, diags
	}

	c.configureRetries(&cfg, m)
	cfg.APIOptions = append(cfg.APIOptions, c.userAgent()...)
	cfg.APIOptions = append(cfg.APIOptions, boundCalls(c.limits()))
	// sdkhttp.Wrap: the SDK's request bodies would cost connections.
	cfg.HTTPClient = &endpointClient{base: sdkhttp.Wrap(cfg.HTTPClient), deadlines: c.limits()}

	var stsEndpoint, ecrEndpoint string
	if len(endpoints) > 0 {
		stsEndpoint = endpoints[0].STS.ValueString()
		ecrEndpoint = endpoints[0].ECR.ValueString()
	}

	if !c.partial {
		diags.Append(checkBaseCredentials(ctx, cfg, m, secrets)...)
		if diags.HasError() {
			return nil, diags
		}
	}
	for i, ar := range assumeRoles {
		if ar.RoleARN.ValueString() == "" {
			continue
		}
		cfg.Credentials = assumeRoleCredentials(cfg, ar, stsEndpoint)
		if c.partial {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, credentialsTimeout)
		creds, err := cfg.Credentials.Retrieve(rctx)
		cancel()
		if err != nil {
			diags.AddAttributeError(path.Root("assume_role").AtListIndex(i).AtName("role_arn"),
				"Cannot assume role "+ar.RoleARN.ValueString(), err.Error())
			return nil, diags
		}
		secrets.add(creds.SecretAccessKey, creds.SessionToken)
	}

	client := ecr.NewFromConfig(cfg, func(o *ecr.Options) {
		if ecrEndpoint != "" {
			o.BaseEndpoint = aws.String(ecrEndpoint)
		}
	})
	meta := &framework.Meta{Client: client, Region: cfg.Region, DefaultTags: map[string]string{}}
	if len(defaultTags) > 0 {
		meta.DefaultTags, meta.DefaultTagsUnknown = knownStringMap(defaultTags[0].Tags)
	}
	meta.DefaultTagsUnknown = meta.DefaultTagsUnknown || m.DefaultTags.IsUnknown()
	if len(ignoreTags) > 0 {
		keys, d := stringSet(ctx, ignoreTags[0].Keys)
		diags.Append(d...)
		prefixes, d := stringSet(ctx, ignoreTags[0].KeyPrefixes)
		diags.Append(d...)
		meta.IgnoreTags = framework.IgnoreTags{Keys: keys, KeyPrefixes: prefixes}
	}
	tflog.Debug(ctx, "configured ECR client", map[string]any{
		"region": cfg.Region, "ecr_endpoint": ecrEndpoint, "max_attempts": cfg.RetryMaxAttempts,
		"retry_mode": string(cfg.RetryMode), "assume_role": len(assumeRoles) > 0,
	})
	return meta, diags
}

// limits are the deadlines of API calls.
func (c configurer) limits() deadlines {
	if c.deadlines != nil {
		return *c.deadlines
	}
	return defaultDeadlines
}

// httpClient builds the transport: the deadlines of every attempt,
// insecure and http_proxy.
func (c configurer) httpClient(m *providerModel) (*awshttp.BuildableClient, diag.Diagnostics) {
	var diags diag.Diagnostics
	var proxy *url.URL
	if v := m.HTTPProxy.ValueString(); v != "" {
		if err := checkHTTPURL(v); err != nil {
			diags.AddAttributeError(path.Root("http_proxy"), "Invalid http_proxy", err.Error())
			return nil, diags
		}
		proxy, _ = url.Parse(v)
	}
	insecure := m.Insecure.ValueBool()
	d := c.limits()
	client := awshttp.NewBuildableClient().WithTimeout(d.attempt).WithDialerOptions(func(dl *net.Dialer) {
		dl.Timeout = d.dial
	}).WithTransportOptions(func(tr *http.Transport) {
		tr.TLSHandshakeTimeout = d.tls
		tr.ResponseHeaderTimeout = d.headers
		if proxy != nil {
			// Assumption: like hashicorp/aws's legacy proxy mode, http_proxy
			// carries HTTPS calls too, and NO_PROXY does not apply to it.
			tr.Proxy = http.ProxyURL(proxy)
		}
		if insecure {
			if tr.TLSClientConfig == nil {
				tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
			}
			tr.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the user asked for it (test endpoints)
		}
	})
	return client, diags
}

// customCABundle reads custom_ca_bundle, or AWS_CA_BUNDLE, and checks that
// it holds certificates.
func customCABundle(m *providerModel) ([]byte, diag.Diagnostics) {
	var diags diag.Diagnostics
	file, source := m.CustomCABundle.ValueString(), "custom_ca_bundle"
	if file == "" {
		file, source = os.Getenv("AWS_CA_BUNDLE"), "AWS_CA_BUNDLE (environment)"
	}
	if file == "" {
		return nil, diags
	}
	pem, err := os.ReadFile(expandHome(file))
	if err != nil {
		diags.AddAttributeError(path.Root("custom_ca_bundle"), "Cannot read custom_ca_bundle",
			fmt.Sprintf("Reading the CA bundle set by %s: %s", source, err))
		return nil, diags
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		diags.AddAttributeError(path.Root("custom_ca_bundle"), "Invalid custom_ca_bundle",
			fmt.Sprintf("The file %s (set by %s) holds no PEM certificate.", file, source))
		return nil, diags
	}
	return pem, diags
}

// loadConfigError names the setting behind a config.LoadDefaultConfig error.
func loadConfigError(m *providerModel, err error) diag.Diagnostic {
	var notExist config.SharedConfigProfileNotExistError
	var loadErr config.SharedConfigLoadError
	msg := err.Error()
	lower := strings.ToLower(msg)
	switch {
	case errors.As(err, &notExist):
		source := "`profile`"
		if m.Profile.ValueString() == "" {
			source = "the AWS_PROFILE environment variable"
		}
		return diag.NewAttributeErrorDiagnostic(path.Root("profile"), "AWS profile not found",
			fmt.Sprintf("The profile %q named by %s is in none of the shared configuration and credentials "+
				"files (see `shared_config_files`, `shared_credentials_files`, AWS_CONFIG_FILE, "+
				"AWS_SHARED_CREDENTIALS_FILE): %s", notExist.Profile, source, msg))
	case errors.As(err, &loadErr):
		return diag.NewAttributeErrorDiagnostic(path.Root("shared_config_files"), "Cannot read the shared configuration",
			fmt.Sprintf("Reading %s: %s", loadErr.Filename, msg))
	case strings.Contains(lower, "max_attempts"):
		return diag.NewAttributeErrorDiagnostic(path.Root("max_retries"), "Invalid maximum number of attempts", msg)
	case strings.Contains(lower, "retry_mode") || strings.Contains(lower, "retrymode"):
		return diag.NewAttributeErrorDiagnostic(path.Root("retry_mode"), "Invalid retry mode", msg)
	case m.Profile.ValueString() != "":
		return diag.NewAttributeErrorDiagnostic(path.Root("profile"), "Cannot load AWS profile "+m.Profile.ValueString(), msg)
	}
	return diag.NewErrorDiagnostic("Cannot load the AWS configuration", msg)
}

// configureRetries sets the retryer: max_retries (default 25 attempts, as in
// hashicorp/aws, unless AWS_MAX_ATTEMPTS or the profile's max_attempts is
// set) and retry_mode. The client-side retry quota is off, as in
// hashicorp/aws, so that long runs of throttling do not end in "retry quota
// exceeded".
func (c configurer) configureRetries(cfg *aws.Config, m *providerModel) {
	attempts := int(m.MaxRetries.ValueInt64())
	if attempts <= 0 {
		attempts = cfg.RetryMaxAttempts
	}
	if attempts <= 0 {
		attempts = defaultMaxAttempts
	}
	mode := cfg.RetryMode
	if mode == "" {
		mode = aws.RetryModeStandard
	}
	backoff := c.backoff
	standard := func(o *retry.StandardOptions) {
		o.MaxAttempts = attempts
		o.RateLimiter = ratelimit.None
		// First: an endpoint that is not reached is retried at most once
		// (transport.go), not like throttling.
		o.Retryables = append([]retry.IsErrorRetryable{unreachableRetryable{}}, o.Retryables...)
		if backoff != nil {
			o.Backoff = backoff
		}
	}
	cfg.RetryMaxAttempts = attempts
	cfg.RetryMode = mode
	cfg.Retryer = func() aws.Retryer {
		if mode == aws.RetryModeAdaptive {
			return retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
				o.StandardOptions = append(o.StandardOptions, standard)
			})
		}
		return retry.NewStandard(standard)
	}
}

// userAgent appends terraform-provider-ecr/<version> and
// Terraform/<version> to the SDK's User-Agent.
func (c configurer) userAgent() []func(*middleware.Stack) error {
	out := []func(*middleware.Stack) error{
		awsmiddleware.AddUserAgentKeyValue("terraform-provider-ecr", c.version),
	}
	if c.terraformVersion != "" {
		out = append(out, awsmiddleware.AddUserAgentKeyValue("Terraform", c.terraformVersion))
	}
	return out
}

// checkBaseCredentials retrieves the credentials once, so that missing
// credentials are one clear error at Configure instead of one per resource.
func checkBaseCredentials(ctx context.Context, cfg aws.Config, m *providerModel, secrets *secretSet) diag.Diagnostics {
	var diags diag.Diagnostics
	profile := m.Profile.ValueString()
	if profile == "" {
		profile = os.Getenv("AWS_PROFILE")
	}
	fail := func(err error) {
		detail := "No AWS credentials were found. Set `access_key` and `secret_key` (or AWS_ACCESS_KEY_ID and " +
			"AWS_SECRET_ACCESS_KEY), or `profile` (or AWS_PROFILE) naming a profile of the shared files, " +
			"or run where a container or instance role is available."
		if err != nil {
			detail += "\n\n" + err.Error()
		}
		if profile != "" {
			diags.AddAttributeError(path.Root("profile"), "No valid credentials in AWS profile "+profile, detail)
			return
		}
		diags.AddError("No valid AWS credentials", detail)
	}
	if cfg.Credentials == nil {
		fail(nil)
		return diags
	}
	rctx, cancel := context.WithTimeout(ctx, credentialsTimeout)
	defer cancel()
	creds, err := cfg.Credentials.Retrieve(rctx)
	if err != nil {
		fail(err)
		return diags
	}
	secrets.add(creds.SecretAccessKey, creds.SessionToken)
	return diags
}

// assumeRoleCredentials wraps cfg's credentials in an STS AssumeRole
// provider. The STS client honours endpoints.sts, AWS_ENDPOINT_URL_STS and
// AWS_ENDPOINT_URL.
func assumeRoleCredentials(cfg aws.Config, ar assumeRoleModel, stsEndpoint string) aws.CredentialsProvider {
	client := sts.NewFromConfig(cfg, func(o *sts.Options) {
		if stsEndpoint != "" {
			o.BaseEndpoint = aws.String(stsEndpoint)
		}
	})
	provider := stscreds.NewAssumeRoleProvider(client, ar.RoleARN.ValueString(), func(o *stscreds.AssumeRoleOptions) {
		if v := ar.SessionName.ValueString(); v != "" {
			o.RoleSessionName = v
		}
		if v := ar.ExternalID.ValueString(); v != "" {
			o.ExternalID = aws.String(v)
		}
		if v := ar.Policy.ValueString(); v != "" {
			o.Policy = aws.String(v)
		}
		if d, err := time.ParseDuration(ar.Duration.ValueString()); err == nil {
			o.Duration = d // validated at plan time
		}
	})
	return aws.NewCredentialsCache(provider)
}

// ---- small helpers ----

// listElements decodes a list nested block; an unknown or null block is empty.
func listElements[T any](ctx context.Context, l types.List) ([]T, diag.Diagnostics) {
	var out []T
	if l.IsNull() || l.IsUnknown() {
		return nil, nil
	}
	diags := l.ElementsAs(ctx, &out, false)
	return out, diags
}

func stringList(ctx context.Context, l types.List) ([]string, diag.Diagnostics) {
	if l.IsNull() || l.IsUnknown() {
		return nil, nil
	}
	var out []types.String
	diags := l.ElementsAs(ctx, &out, false)
	return knownStrings(out), diags
}

func stringSet(ctx context.Context, s types.Set) ([]string, diag.Diagnostics) {
	if s.IsNull() || s.IsUnknown() {
		return nil, nil
	}
	var out []types.String
	diags := s.ElementsAs(ctx, &out, false)
	return knownStrings(out), diags
}

// knownStringMap returns the known values of a map of strings, and whether
// the map or any of its values is unknown (plan only).
func knownStringMap(m types.Map) (map[string]string, bool) {
	out := map[string]string{}
	if m.IsUnknown() {
		return out, true
	}
	unknown := false
	for k, v := range m.Elements() {
		s, ok := v.(types.String)
		switch {
		case !ok || s.IsUnknown():
			unknown = true
		case !s.IsNull():
			out[k] = s.ValueString()
		}
	}
	return out, unknown
}

func knownStrings(in []types.String) []string {
	out := make([]string, 0, len(in))
	for _, v := range in {
		if !v.IsNull() && !v.IsUnknown() {
			out = append(out, v.ValueString())
		}
	}
	return out
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

func expandHomeAll(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = expandHome(p)
	}
	return out
}

// warnMissingFiles warns about listed shared files that do not exist (the
// SDK skips them silently).
func warnMissingFiles(p path.Path, files []string) diag.Diagnostics {
	var diags diag.Diagnostics
	for i, f := range files {
		if _, err := os.Stat(f); errors.Is(err, os.ErrNotExist) {
			diags.AddAttributeWarning(p.AtListIndex(i), "Shared file not found",
				fmt.Sprintf("%s does not exist; it is skipped.", f))
		}
	}
	return diags
}
