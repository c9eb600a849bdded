package ecr

import (
	"context"
	"encoding/json"
	"fmt"

	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// awsRepositoryStateV0 is the state hashicorp/aws (v5 and v6, schema
// version 0) writes for aws_ecr_repository. It is read from the raw JSON
// so that attributes added by later hashicorp/aws versions do not break it.
type awsRepositoryStateV0 struct {
	EncryptionConfiguration []struct {
		EncryptionType string `json:"encryption_type"`
		KMSKey         string `json:"kms_key"`
	} `json:"encryption_configuration"`
	ForceDelete                bool `json:"force_delete"`
	ImageScanningConfiguration []struct {
		ScanOnPush bool `json:"scan_on_push"`
	} `json:"image_scanning_configuration"`
	ImageTagMutability                string `json:"image_tag_mutability"`
	ImageTagMutabilityExclusionFilter []struct {
		Filter     string `json:"filter"`
		FilterType string `json:"filter_type"`
	} `json:"image_tag_mutability_exclusion_filter"`
	ARN           string            `json:"arn"`
	Name          string            `json:"name"`
	Region        string            `json:"region"`
	RegistryID    string            `json:"registry_id"`
	RepositoryURL string            `json:"repository_url"`
	Tags          map[string]string `json:"tags"`
	TagsAll       map[string]string `json:"tags_all"`
	Timeouts      *struct {
		Delete *string `json:"delete"`
	} `json:"timeouts"`
}

// MoveState lets `moved { from = aws_ecr_repository.x  to = ecr_repository.x }`
// take over a repository managed by hashicorp/aws.
func (r *repositoryResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: r.moveFromAWSRepository}}
}

func (r *repositoryResource) moveFromAWSRepository(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if req.SourceTypeName != "aws_ecr_repository" || req.SourceProviderAddress != awsProviderAddress {
		return // not ours: the framework tries the next mover
	}
	summary := "moving aws_ecr_repository to ecr_repository"
	if req.SourceSchemaVersion != 0 || req.SourceRawState == nil {
		resp.Diagnostics.AddError(summary, fmt.Sprintf("Unsupported source schema version %d (want 0).", req.SourceSchemaVersion))
		return
	}
	var src awsRepositoryStateV0
	if err := json.Unmarshal(req.SourceRawState.JSON, &src); err != nil {
		resp.Diagnostics.AddError(summary, "Reading the source state: "+err.Error())
		return
	}
	m, diags := src.model(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.TargetState.Set(ctx, m)...)
	// The resource is not configured here, so the region cannot be checked
	// yet: the identity carries it to the first Read, which refuses a
	// provider configured for another region (Terraform 1.12+).
	if resp.TargetIdentity != nil && src.Region != "" {
		resp.Diagnostics.Append(resp.TargetIdentity.Set(ctx, repositoryResourceIdentityModel{
			AccountID: m.RegistryID, Name: m.Name, Region: types.StringValue(src.Region),
		})...)
	}
}

// model converts the source state. It goes through the same refresh as a
// read, so blocks that only repeat ECR's defaults (hashicorp/aws stores
// them always) are dropped, as for a repository created here.
func (src *awsRepositoryStateV0) model(ctx context.Context) (*repositoryResourceModel, diag.Diagnostics) {
	repo := &awstypes.Repository{
		RepositoryArn:      &src.ARN,
		RepositoryName:     &src.Name,
		RegistryId:         &src.RegistryID,
		RepositoryUri:      &src.RepositoryURL,
		ImageTagMutability: awstypes.ImageTagMutability(src.ImageTagMutability),
	}
	if len(src.EncryptionConfiguration) > 0 {
		e := src.EncryptionConfiguration[0]
		repo.EncryptionConfiguration = &awstypes.EncryptionConfiguration{EncryptionType: awstypes.EncryptionType(e.EncryptionType)}
		if e.KMSKey != "" {
			repo.EncryptionConfiguration.KmsKey = &e.KMSKey
		}
	}
	if len(src.ImageScanningConfiguration) > 0 {
		repo.ImageScanningConfiguration = &awstypes.ImageScanningConfiguration{ScanOnPush: src.ImageScanningConfiguration[0].ScanOnPush}
	}
	for _, f := range src.ImageTagMutabilityExclusionFilter {
		repo.ImageTagMutabilityExclusionFilters = append(repo.ImageTagMutabilityExclusionFilters,
			awstypes.ImageTagMutabilityExclusionFilter{Filter: &f.Filter, FilterType: awstypes.ImageTagMutabilityExclusionFilterType(f.FilterType)})
	}
	if repo.ImageTagMutability == "" {
		repo.ImageTagMutability = awstypes.ImageTagMutabilityMutable
	}

	m := &repositoryResourceModel{ForceDelete: types.BoolValue(src.ForceDelete)}
	m.refresh(repo)
	var diags diag.Diagnostics
	m.Tags = types.MapNull(types.StringType)
	if len(src.Tags) > 0 {
		m.Tags, diags = types.MapValueFrom(ctx, types.StringType, src.Tags)
	}
	all := src.TagsAll
	if all == nil {
		all = map[string]string{}
	}
	tagsAll, d := types.MapValueFrom(ctx, types.StringType, all)
	diags.Append(d...)
	m.TagsAll = tagsAll

	var deleteTimeout *string
	if src.Timeouts != nil {
		deleteTimeout = src.Timeouts.Delete
	}
	var err error
	if m.Timeouts, err = nullTimeouts(deleteTimeout); err != nil {
		diags.AddError("moving the timeouts of aws_ecr_repository", err.Error())
	}
	return m, diags
}
