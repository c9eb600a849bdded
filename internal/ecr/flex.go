package ecr

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Shapes shared by several ECR entities: encryption configuration, image
// scanning configuration, tag-mutability exclusion filters.

type encryptionConfigurationModel struct {
	EncryptionType types.String `tfsdk:"encryption_type"`
	KMSKey         types.String `tfsdk:"kms_key"`
}

// expandEncryptionConfiguration returns nil for no block (ECR's default).
func expandEncryptionConfiguration(m []encryptionConfigurationModel) *awstypes.EncryptionConfiguration {
	if len(m) == 0 {
		return nil
	}
	out := &awstypes.EncryptionConfiguration{EncryptionType: awstypes.EncryptionType(m[0].EncryptionType.ValueString())}
	if k := m[0].KMSKey.ValueString(); k != "" {
		out.KmsKey = aws.String(k)
	}
	return out
}

// flattenEncryptionConfiguration returns an empty (not nil) list for nil, so
// that a list block reads as "no block" rather than null.
func flattenEncryptionConfiguration(c *awstypes.EncryptionConfiguration) []encryptionConfigurationModel {
	if c == nil {
		return []encryptionConfigurationModel{}
	}
	return []encryptionConfigurationModel{{
		EncryptionType: types.StringValue(string(c.EncryptionType)),
		KMSKey:         types.StringPointerValue(c.KmsKey),
	}}
}

// isDefaultEncryption reports whether m means what ECR does without an
// encryption configuration: AES256 with no key (an unknown key counts as
// none, AES256 has no key).
func isDefaultEncryption(m []encryptionConfigurationModel) bool {
	if len(m) == 0 {
		return true
	}
	t := m[0].EncryptionType
	return !t.IsUnknown() && (t.IsNull() || t.ValueString() == string(awstypes.EncryptionTypeAes256)) &&
		m[0].KMSKey.ValueString() == ""
}

// sameKMSKey reports whether two references name the same KMS key: they
// are equal, or one is a key id (or alias/name) and the other the ARN of
// that key (or alias). Two different ARNs are never the same key.
func sameKMSKey(a, b string) bool {
	if a == b {
		return true
	}
	ra, aARN := kmsKeyResource(a)
	rb, bARN := kmsKeyResource(b)
	return (!aARN || !bARN) && ra == rb
}

// kmsKeyResource returns the "key/<id>" or "alias/<name>" part of a key
// reference, and whether the reference is an ARN.
func kmsKeyResource(s string) (string, bool) {
	if a, err := arn.Parse(s); err == nil && a.Service == "kms" {
		return a.Resource, true
	}
	if strings.HasPrefix(s, "alias/") {
		return s, false
	}
	return "key/" + s, false
}

type imageScanningConfigurationModel struct {
	ScanOnPush types.Bool `tfsdk:"scan_on_push"`
}

// expandImageScanningConfiguration maps no block to ECR's default (off).
func expandImageScanningConfiguration(m []imageScanningConfigurationModel) *awstypes.ImageScanningConfiguration {
	if len(m) == 0 {
		return &awstypes.ImageScanningConfiguration{ScanOnPush: false}
	}
	return &awstypes.ImageScanningConfiguration{ScanOnPush: m[0].ScanOnPush.ValueBool()}
}

func flattenImageScanningConfiguration(c *awstypes.ImageScanningConfiguration) []imageScanningConfigurationModel {
	if c == nil {
		return []imageScanningConfigurationModel{}
	}
	return []imageScanningConfigurationModel{{ScanOnPush: types.BoolValue(c.ScanOnPush)}}
}

type exclusionFilterModel struct {
	Filter     types.String `tfsdk:"filter"`
	FilterType types.String `tfsdk:"filter_type"`
}

// exclusionFilterBlock is the `image_tag_mutability_exclusion_filter` block
// (ecr_repository, ecr_repository_creation_template).
func exclusionFilterBlock() schema.ListNestedBlock {
	return schema.ListNestedBlock{
		MarkdownDescription: "Up to 5 tag filters whose tags are exempt from `image_tag_mutability`; only with a `*_WITH_EXCLUSION` setting.",
		Validators:          []validator.List{listvalidator.SizeAtMost(5)},
		NestedObject: schema.NestedBlockObject{Attributes: map[string]schema.Attribute{
			"filter": schema.StringAttribute{
				Required: true,
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, 128),
					stringvalidator.RegexMatches(exclusionFilterRegexp, "must contain only letters, digits, `.`, `_`, `-` and the wildcard `*`"),
				},
				MarkdownDescription: "Tag pattern, 1 to 128 characters; `*` matches any characters.",
			},
			"filter_type": schema.StringAttribute{
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(enumStrings(awstypes.ImageTagMutabilityExclusionFilterType("").Values())...)},
				MarkdownDescription: "`WILDCARD`.",
			},
		}},
	}
}

func expandExclusionFilters(m []exclusionFilterModel) []awstypes.ImageTagMutabilityExclusionFilter {
	if len(m) == 0 {
		return nil
	}
	out := make([]awstypes.ImageTagMutabilityExclusionFilter, len(m))
	for i, f := range m {
		out[i] = awstypes.ImageTagMutabilityExclusionFilter{
			Filter:     f.Filter.ValueStringPointer(),
			FilterType: awstypes.ImageTagMutabilityExclusionFilterType(f.FilterType.ValueString()),
		}
	}
	return out
}

func flattenExclusionFilters(fs []awstypes.ImageTagMutabilityExclusionFilter) []exclusionFilterModel {
	out := make([]exclusionFilterModel, len(fs))
	for i, f := range fs {
		out[i] = exclusionFilterModel{
			Filter:     types.StringPointerValue(f.Filter),
			FilterType: types.StringValue(string(f.FilterType)),
		}
	}
	return out
}

// enumStrings converts an SDK enum's Values() to strings for validators.
func enumStrings[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
