package emulator

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

func init() {
	register("TagResource", false, tagResource)
	register("UntagResource", false, untagResource)
	register("ListTagsForResource", true, listTagsForResource)
}

// findTaggedRepository resolves a resourceArn to a repository of the
// caller's registry. Only repositories carry tags.
func findTaggedRepository(r *request, reg *Registry, resourceARN *string) (*Repository, error) {
	if err := checkRequired("resourceArn", resourceARN != nil); err != nil {
		return nil, err
	}
	a, err := arn.Parse(*resourceARN)
	if err != nil {
		return nil, errInvalidParam("resourceArn", "Invalid ARN")
	}
	name, isRepo := strings.CutPrefix(a.Resource, "repository/")
	// Assumption: an ARN that cannot name an ECR repository (other service,
	// other resource type, malformed account or name) is an invalid ARN,
	// not a missing repository.
	if a.Service != "ecr" || !isRepo || a.Region == "" || !reTwelveDigits.MatchString(a.AccountID) ||
		utf8.RuneCountInString(name) < 2 || utf8.RuneCountInString(name) > 256 || !reRepositoryName.MatchString(name) {
		return nil, errInvalidParam("resourceArn", "Invalid ARN")
	}
	// Assumption: an ARN of another region or partition names a repository
	// this registry cannot have.
	if a.Region != r.region || a.Partition != partition(r.region) {
		return nil, errRepositoryNotFound(name, a.AccountID)
	}
	return findRepository(r, reg, &a.AccountID, &name)
}

type tagResourceInput struct {
	ResourceArn *string    `json:"resourceArn"`
	Tags        []tagInput `json:"tags"`
}

func tagResource(r *request, reg *Registry) (any, error) {
	var in tagResourceInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkRequired("tags", in.Tags != nil); err != nil {
		return nil, err
	}
	add, err := checkTags("tags", in.Tags)
	if err != nil {
		return nil, err
	}
	repo, err := findTaggedRepository(r, reg, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags, err := mergeTags(repo.Data.Tags, add)
	if err != nil {
		return nil, err
	}
	repo.Data.Tags = tags
	return struct{}{}, nil
}

type untagResourceInput struct {
	ResourceArn *string  `json:"resourceArn"`
	TagKeys     []string `json:"tagKeys"`
}

func untagResource(r *request, reg *Registry) (any, error) {
	var in untagResourceInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkRequired("tagKeys", in.TagKeys != nil); err != nil {
		return nil, err
	}
	// Assumption: keys to remove follow the same key rules as keys to add,
	// except that the aws: prefix may be named (it can never be present).
	for _, k := range in.TagKeys {
		if k == "" {
			return nil, apiErr("InvalidTagParameterException", "The tag key cannot be empty.")
		}
		if utf8.RuneCountInString(k) > 128 {
			return nil, apiErr("InvalidTagParameterException", "The tag key '%s' exceeds the maximum length of 128 characters.", k)
		}
	}
	repo, err := findTaggedRepository(r, reg, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	// A new slice: a ListTagsForResource response may still share the old one.
	kept := []Tag{}
	for _, t := range repo.Data.Tags {
		if !slices.Contains(in.TagKeys, t.Key) {
			kept = append(kept, t)
		}
	}
	repo.Data.Tags = kept
	return struct{}{}, nil
}

type listTagsForResourceInput struct {
	ResourceArn *string `json:"resourceArn"`
}

type listTagsForResourceOutput struct {
	Tags []Tag `json:"tags"`
}

func listTagsForResource(r *request, reg *Registry) (any, error) {
	var in listTagsForResourceInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findTaggedRepository(r, reg, in.ResourceArn)
	if err != nil {
		return nil, err
	}
	tags := append([]Tag{}, repo.Data.Tags...)
	return listTagsForResourceOutput{Tags: tags}, nil
}
