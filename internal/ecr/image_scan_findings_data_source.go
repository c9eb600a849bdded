package ecr

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// NewImageScanFindingsDataSource is the ecr_image_scan_findings data source.
func NewImageScanFindingsDataSource() datasource.DataSource { return &imageScanFindingsDataSource{} }

type imageScanFindingsDataSource struct {
	framework.DataSourceBase
}

// defaultScanWaitTimeout bounds wait_for_completion by default.
const defaultScanWaitTimeout = 20 * time.Minute

// scanInProgress are the scan statuses that end by themselves.
var scanInProgress = []awstypes.ScanStatus{awstypes.ScanStatusInProgress, awstypes.ScanStatusPending}

func (d *imageScanFindingsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_image_scan_findings"
}

func (d *imageScanFindingsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the vulnerability scan of an image (`DescribeImageScanFindings`, every page): its status, the " +
			"count of findings per severity and the findings, basic (`findings`) or enhanced (Amazon Inspector, " +
			"`enhanced_findings`). With `wait_for_completion = true` it waits while the scan is `IN_PROGRESS` or `PENDING`.",
		Attributes: imageSelectorAttributes(map[string]schema.Attribute{
			"enhanced_findings": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Findings of enhanced scanning.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"description":       schema.StringAttribute{Computed: true, MarkdownDescription: "Description."},
					"exploit_available": schema.StringAttribute{Computed: true, MarkdownDescription: "Whether an exploit is known."},
					"finding_arn":       schema.StringAttribute{Computed: true, MarkdownDescription: "ARN of the Inspector finding."},
					"fix_available":     schema.StringAttribute{Computed: true, MarkdownDescription: "Whether a fix is available."},
					"score":             schema.Float64Attribute{Computed: true, MarkdownDescription: "Inspector score."},
					"severity":          schema.StringAttribute{Computed: true, MarkdownDescription: "Severity."},
					"status":            schema.StringAttribute{Computed: true, MarkdownDescription: "Status of the finding."},
					"title":             schema.StringAttribute{Computed: true, MarkdownDescription: "Title."},
					"type":              schema.StringAttribute{Computed: true, MarkdownDescription: "Type of the finding."},
					"vulnerability_id":  schema.StringAttribute{Computed: true, MarkdownDescription: "Id of the vulnerability (a CVE)."},
				}}},
			"finding_severity_counts": schema.MapAttribute{Computed: true, ElementType: types.Int64Type,
				MarkdownDescription: "Number of findings per severity (`CRITICAL`, `HIGH`, `MEDIUM`, `LOW`, `INFORMATIONAL`, `UNDEFINED`); only severities found are present."},
			"findings": schema.ListNestedAttribute{Computed: true, MarkdownDescription: "Findings of basic scanning.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"attributes":  schema.MapAttribute{Computed: true, ElementType: types.StringType, MarkdownDescription: "Attributes (`package_name`, `package_version`...)."},
					"description": schema.StringAttribute{Computed: true, MarkdownDescription: "Description."},
					"name":        schema.StringAttribute{Computed: true, MarkdownDescription: "Name (a CVE)."},
					"severity":    schema.StringAttribute{Computed: true, MarkdownDescription: "Severity."},
					"uri":         schema.StringAttribute{Computed: true, MarkdownDescription: "Link to the vulnerability."},
				}}},
			"scan_completed_at":       schema.StringAttribute{Computed: true, MarkdownDescription: "When the scan completed (RFC 3339)."},
			"scan_status":             schema.StringAttribute{Computed: true, MarkdownDescription: "Status of the scan: `COMPLETE`, `IN_PROGRESS`, `FAILED`, `ACTIVE` (continuous), ..."},
			"scan_status_description": schema.StringAttribute{Computed: true, MarkdownDescription: "The status, in words."},
			"vulnerability_source_updated_at": schema.StringAttribute{Computed: true,
				MarkdownDescription: "When the vulnerability database used was last updated (RFC 3339)."},
			"wait_for_completion": schema.BoolAttribute{Optional: true,
				MarkdownDescription: "Wait while the scan is `IN_PROGRESS` or `PENDING`, up to `timeout`. Default `false`."},
			"timeout": schema.StringAttribute{Optional: true, Validators: []validator.String{durationValidator{}},
				MarkdownDescription: "How long `wait_for_completion` waits, e.g. `\"10m\"`; default `\"20m\"`."},
		}),
	}
}

func (d *imageScanFindingsDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return imageSelectorValidators()
}

func (d *imageScanFindingsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var data imageScanFindingsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &data)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = tflog.SetField(ctx, "repository_name", data.RepositoryName.ValueString())
	summary := fmt.Sprintf("reading the scan findings of ECR Image (%s)", data.ref())
	timeout := defaultScanWaitTimeout
	if s := data.Timeout.ValueString(); s != "" {
		timeout, _ = time.ParseDuration(s) // validated
	}
	client, err := data.resolve(ctx, d.Meta)
	if err != nil {
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	read := func(ctx context.Context) (*imageScanResult, error) {
		return findImageScanFindings(ctx, client, &data.imageSelectorModel)
	}
	var scan *imageScanResult
	if data.WaitForCompletion.ValueBool() {
		scan, err = waitUntil(ctx, timeout, read, func(s *imageScanResult, err error) bool {
			return err == nil && !slices.Contains(scanInProgress, s.status.Status)
		})
	} else {
		scan, err = read(ctx)
	}
	if err != nil {
		if isScanNotFound(err) {
			err = fmt.Errorf("%w\n\nThe image has not been scanned: turn on scan on push or a registry scanning rule, or start a scan (ecr_start_image_scan)", err)
		}
		resp.Diagnostics.AddError(summary, err.Error())
		return
	}
	resp.Diagnostics.Append(data.flatten(ctx, scan)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &data)...)
}

// imageScanResult is every page of DescribeImageScanFindings put together.
type imageScanResult struct {
	status   awstypes.ImageScanStatus
	findings awstypes.ImageScanFindings
}

// findImageScanFindings reads the scan of an image, every page.
func findImageScanFindings(ctx context.Context, client *ecr.Client, image *imageSelectorModel) (*imageScanResult, error) {
	var res imageScanResult
	p := ecr.NewDescribeImageScanFindingsPaginator(client, &ecr.DescribeImageScanFindingsInput{
		RepositoryName: image.RepositoryName.ValueStringPointer(), RegistryId: image.RegistryID.ValueStringPointer(),
		ImageId: &awstypes.ImageIdentifier{ImageDigest: image.ImageDigest.ValueStringPointer()},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		if page.ImageScanStatus != nil {
			res.status = *page.ImageScanStatus
		}
		if f := page.ImageScanFindings; f != nil {
			res.findings.FindingSeverityCounts = f.FindingSeverityCounts
			res.findings.ImageScanCompletedAt = f.ImageScanCompletedAt
			res.findings.VulnerabilitySourceUpdatedAt = f.VulnerabilitySourceUpdatedAt
			res.findings.Findings = append(res.findings.Findings, f.Findings...)
			res.findings.EnhancedFindings = append(res.findings.EnhancedFindings, f.EnhancedFindings...)
		}
	}
	return &res, nil
}

type imageScanFindingsDataSourceModel struct {
	imageSelectorModel
	EnhancedFindings             []enhancedScanFindingModel `tfsdk:"enhanced_findings"`
	FindingSeverityCounts        map[string]int64           `tfsdk:"finding_severity_counts"`
	Findings                     []scanFindingModel         `tfsdk:"findings"`
	ScanCompletedAt              types.String               `tfsdk:"scan_completed_at"`
	ScanStatus                   types.String               `tfsdk:"scan_status"`
	ScanStatusDescription        types.String               `tfsdk:"scan_status_description"`
	Timeout                      types.String               `tfsdk:"timeout"`
	VulnerabilitySourceUpdatedAt types.String               `tfsdk:"vulnerability_source_updated_at"`
	WaitForCompletion            types.Bool                 `tfsdk:"wait_for_completion"`
}

type scanFindingModel struct {
	Attributes  types.Map    `tfsdk:"attributes"`
	Description types.String `tfsdk:"description"`
	Name        types.String `tfsdk:"name"`
	Severity    types.String `tfsdk:"severity"`
	URI         types.String `tfsdk:"uri"`
}

type enhancedScanFindingModel struct {
	Description      types.String  `tfsdk:"description"`
	ExploitAvailable types.String  `tfsdk:"exploit_available"`
	FindingARN       types.String  `tfsdk:"finding_arn"`
	FixAvailable     types.String  `tfsdk:"fix_available"`
	Score            types.Float64 `tfsdk:"score"`
	Severity         types.String  `tfsdk:"severity"`
	Status           types.String  `tfsdk:"status"`
	Title            types.String  `tfsdk:"title"`
	Type             types.String  `tfsdk:"type"`
	VulnerabilityID  types.String  `tfsdk:"vulnerability_id"`
}

func (m *imageScanFindingsDataSourceModel) flatten(ctx context.Context, scan *imageScanResult) (diags diag.Diagnostics) {
	m.ScanStatus = types.StringValue(string(scan.status.Status))
	m.ScanStatusDescription = types.StringPointerValue(scan.status.Description)
	m.ScanCompletedAt = rfc3339(scan.findings.ImageScanCompletedAt)
	m.VulnerabilitySourceUpdatedAt = rfc3339(scan.findings.VulnerabilitySourceUpdatedAt)
	m.FindingSeverityCounts = map[string]int64{}
	for k, v := range scan.findings.FindingSeverityCounts {
		m.FindingSeverityCounts[k] = int64(v)
	}
	m.Findings = make([]scanFindingModel, len(scan.findings.Findings))
	for i, f := range scan.findings.Findings {
		attrs := map[string]string{}
		for _, a := range f.Attributes {
			attrs[aws.ToString(a.Key)] = aws.ToString(a.Value)
		}
		mv, d := types.MapValueFrom(ctx, types.StringType, attrs)
		diags.Append(d...)
		m.Findings[i] = scanFindingModel{Attributes: mv, Description: types.StringPointerValue(f.Description),
			Name: types.StringPointerValue(f.Name), Severity: types.StringValue(string(f.Severity)), URI: types.StringPointerValue(f.Uri)}
	}
	m.EnhancedFindings = make([]enhancedScanFindingModel, len(scan.findings.EnhancedFindings))
	for i, f := range scan.findings.EnhancedFindings {
		e := enhancedScanFindingModel{Description: types.StringPointerValue(f.Description),
			ExploitAvailable: types.StringPointerValue(f.ExploitAvailable), FindingARN: types.StringPointerValue(f.FindingArn),
			FixAvailable: types.StringPointerValue(f.FixAvailable), Score: types.Float64Value(f.Score),
			Severity: types.StringPointerValue(f.Severity), Status: types.StringPointerValue(f.Status),
			Title: types.StringPointerValue(f.Title), Type: types.StringPointerValue(f.Type), VulnerabilityID: types.StringNull()}
		if f.PackageVulnerabilityDetails != nil {
			e.VulnerabilityID = types.StringPointerValue(f.PackageVulnerabilityDetails.VulnerabilityId)
		}
		m.EnhancedFindings[i] = e
	}
	return diags
}

// durationValidator checks a Go duration argument ("10m").
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return `a duration such as "30s" or "10m"`
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			fmt.Sprintf(`%s must be a positive duration such as "30s" or "10m", got %q`, req.Path, req.ConfigValue.ValueString()))
	}
}
