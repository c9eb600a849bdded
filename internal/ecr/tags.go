package ecr

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// Tag handling shared by every taggable resource: `tags` is what the
// configuration sets, `tags_all` adds the provider's default_tags. Keys in
// the provider's ignore_tags, and the reserved `aws:` prefix, are never
// read, planned or changed. A key that is both in `tags` and ignored is a
// contradiction hashicorp/aws answers with a diff on every plan: here the
// plan warns that the tag is not set, and the state keeps the configured
// value (the remote one is never read), so the plan stays empty.

func tagsAttribute() schema.MapAttribute {
	return schema.MapAttribute{
		Optional:    true,
		ElementType: types.StringType,
		Validators:  TagsValidators(),
		MarkdownDescription: fmt.Sprintf("Tags of the resource (at most %d with the provider's `default_tags`; keys of 1 to %d "+
			"characters, not starting with `aws:`; values of at most %d characters). Tags with the same key in the "+
			"provider's `default_tags` are overridden. A key the provider's `ignore_tags` covers is neither set nor read: the plan "+
			"warns, and the state keeps the configured value, so it never shows as a change.", maxTags, maxTagKeyLength, maxTagValueLength),
	}
}

// ECR's limits on tags (TagResource, CreateRepository).
const (
	maxTags           = 50
	maxTagKeyLength   = 128
	maxTagValueLength = 256
)

// TagsValidators check a map of tags against ECR's limits at plan time:
// the number of tags, the key and value lengths, and the reserved `aws:`
// prefix. Exported for the provider's default_tags.
func TagsValidators() []validator.Map {
	return []validator.Map{
		mapvalidator.SizeAtMost(maxTags),
		mapvalidator.KeysAre(
			stringvalidator.LengthBetween(1, maxTagKeyLength),
			stringvalidator.RegexMatches(notAWSPrefix, "must not start with `aws:` (reserved for AWS)"),
		),
		mapvalidator.ValueStringsAre(stringvalidator.LengthAtMost(maxTagValueLength)),
	}
}

// notAWSPrefix matches a tag key that does not start with aws: (any case,
// as AWS reserves it).
var notAWSPrefix = regexp.MustCompile(`^(?:[^aA]|[aA](?:[^wW]|$)|[aA][wW](?:[^sS]|$)|[aA][wW][sS](?:[^:]|$))`)

func tagsAllAttribute() schema.MapAttribute {
	return schema.MapAttribute{
		Computed:            true,
		ElementType:         types.StringType,
		MarkdownDescription: "All tags of the resource: `tags` merged with the provider's `default_tags`, without ignored tags.",
	}
}

// tagIgnored reports whether a key is outside the provider's management.
func tagIgnored(meta *framework.Meta, key string) bool {
	return strings.HasPrefix(key, "aws:") || (meta != nil && meta.IgnoreTags.Ignored(key))
}

// planTagsAll computes the planned tags_all from the planned tags.
func planTagsAll(ctx context.Context, meta *framework.Meta, tags types.Map) (types.Map, diag.Diagnostics) {
	if !isFullyKnown(tags) || (meta != nil && meta.DefaultTagsUnknown) {
		return types.MapUnknown(types.StringType), nil
	}
	var own map[string]string
	diags := tags.ElementsAs(ctx, &own, false)
	all := map[string]string{}
	if meta != nil {
		maps.Copy(all, meta.DefaultTags)
	}
	maps.Copy(all, own)
	maps.DeleteFunc(all, func(k, _ string) bool { return tagIgnored(meta, k) })
	if len(all) > maxTags {
		diags.AddAttributeError(path.Root("tags"), "Too many tags",
			fmt.Sprintf("With the provider's default_tags the resource would have %d tags; ECR allows at most %d.", len(all), maxTags))
	}
	v, d := types.MapValueFrom(ctx, types.StringType, all)
	diags.Append(d...)
	return v, diags
}

// warnIgnoredTags warns, at plan time, of each key of tags that the
// provider's ignore_tags covers: it is neither set nor read.
func warnIgnoredTags(meta *framework.Meta, tags types.Map) diag.Diagnostics {
	var diags diag.Diagnostics
	keys := slices.Sorted(maps.Keys(tags.Elements()))
	for _, k := range keys {
		if tagIgnored(meta, k) {
			diags.AddAttributeWarning(path.Root("tags").AtMapKey(k), "Tag ignored by the provider",
				fmt.Sprintf("The tag %q is in the provider's ignore_tags, so it is neither set nor read on the resource: "+
					"its value here is only kept in the state. Remove it from tags, or from ignore_tags to manage it.", k))
		}
	}
	return diags
}

// isFullyKnown reports whether a map and all its values are known (a tag
// value may come from a resource not yet applied).
func isFullyKnown(m types.Map) bool {
	if m.IsUnknown() {
		return false
	}
	for _, v := range m.Elements() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
}

// readTags splits the remote tags into tags and tags_all. A key stays in
// tags if tags had it before, or if no default tag gives it the same value
// (so an import brings back everything that is not a default). While the
// default tags are not known yet (plan), a key tags did not have may be a
// default: it stays out of tags.
func readTags(ctx context.Context, meta *framework.Meta, remote map[string]string, priorTags types.Map) (tags, tagsAll types.Map, diags diag.Diagnostics) {
	var prior map[string]string
	if !priorTags.IsNull() && !priorTags.IsUnknown() {
		diags.Append(priorTags.ElementsAs(ctx, &prior, false)...)
	}
	var defaults map[string]string
	defaultsUnknown := false
	if meta != nil {
		defaults, defaultsUnknown = meta.DefaultTags, meta.DefaultTagsUnknown
	}
	all := map[string]string{}
	own := map[string]string{}
	for k, v := range remote {
		if tagIgnored(meta, k) {
			continue
		}
		all[k] = v
		_, hadIt := prior[k]
		if def, ok := defaults[k]; hadIt || (!defaultsUnknown && (!ok || def != v)) {
			own[k] = v
		}
	}
	// An ignored key the configuration sets keeps its configured value:
	// it is never read, so it never differs.
	for k, v := range prior {
		if tagIgnored(meta, k) {
			own[k] = v
		}
	}
	tagsAll, d := types.MapValueFrom(ctx, types.StringType, all)
	diags.Append(d...)
	if len(own) == 0 && priorTags.IsNull() {
		return types.MapNull(types.StringType), tagsAll, diags
	}
	tags, d = types.MapValueFrom(ctx, types.StringType, own)
	diags.Append(d...)
	return tags, tagsAll, diags
}

// tagsMap reads a known map of strings (null reads as empty).
func tagsMap(ctx context.Context, m types.Map) (map[string]string, diag.Diagnostics) {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	diags := m.ElementsAs(ctx, &out, false)
	return out, diags
}

// svcTags converts a map to ECR tags, sorted by key.
func svcTags(m map[string]string) []awstypes.Tag {
	if len(m) == 0 {
		return nil
	}
	out := make([]awstypes.Tag, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, awstypes.Tag{Key: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

// listTags returns the tags of an ECR resource.
func listTags(ctx context.Context, client *ecr.Client, arn string) (map[string]string, error) {
	out, err := client.ListTagsForResource(ctx, &ecr.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil {
		return nil, err
	}
	tags := make(map[string]string, len(out.Tags))
	for _, t := range out.Tags {
		tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return tags, nil
}

// updateTags changes the tags of an ECR resource from prior to want: removed
// keys with UntagResource, added or changed ones with TagResource.
func updateTags(ctx context.Context, client *ecr.Client, arn string, prior, want map[string]string) error {
	var removed []string
	for k := range prior {
		if _, ok := want[k]; !ok {
			removed = append(removed, k)
		}
	}
	if len(removed) > 0 {
		slices.Sort(removed)
		if _, err := client.UntagResource(ctx, &ecr.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: removed}); err != nil {
			return err
		}
	}
	changed := map[string]string{}
	for k, v := range want {
		if ov, ok := prior[k]; !ok || ov != v {
			changed[k] = v
		}
	}
	if len(changed) > 0 {
		if _, err := client.TagResource(ctx, &ecr.TagResourceInput{ResourceArn: aws.String(arn), Tags: svcTags(changed)}); err != nil {
			return err
		}
	}
	return nil
}
