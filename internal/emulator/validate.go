package emulator

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Model patterns, applied as full matches (ECR anchors them in practice).
var (
	reRepositoryName  = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)
	reRegistryID      = regexp.MustCompile(`^[0-9]{12}$`)
	reExclusionFilter = regexp.MustCompile(`^[0-9a-zA-Z._*-]{1,128}$`)
	reLayerDigest     = regexp.MustCompile(`^[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+$`)
	reUploadID        = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
)

const repositoryNamePattern = `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`

// Enumerations shared by several operations.
var (
	enumTagMutability  = []string{"MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"}
	enumEncryptionType = []string{"AES256", "KMS", "KMS_DSSE"}
	enumTagStatus      = []string{"TAGGED", "UNTAGGED", "ANY"}
	enumImageStatus    = []string{"ACTIVE", "ARCHIVED", "ACTIVATING", "ANY"}
)

// checkRequired fails with ECR's message when a required member is absent.
func checkRequired(member string, present bool) error {
	if !present {
		return errInvalidParam(member, "Member must not be null")
	}
	return nil
}

func checkLength(member, v string, minLen, maxLen int) error {
	n := utf8.RuneCountInString(v)
	if n < minLen {
		return errInvalidParam(member, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	}
	if maxLen > 0 && n > maxLen {
		return errInvalidParam(member, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	}
	return nil
}

func checkPattern(member, v string, re *regexp.Regexp, pattern string) error {
	if !re.MatchString(v) {
		return errInvalidParam(member, fmt.Sprintf("Member must satisfy regular expression pattern: %s", pattern))
	}
	return nil
}

func checkEnum(member, v string, allowed []string) error {
	if !slices.Contains(allowed, v) {
		return errInvalidParam(member, fmt.Sprintf("Member must satisfy enum value set: [%s]", strings.Join(allowed, ", ")))
	}
	return nil
}

func checkRange(member string, v, minV, maxV int64) error {
	if v < minV {
		return errInvalidParam(member, fmt.Sprintf("Member must have value greater than or equal to %d", minV))
	}
	if v > maxV {
		return errInvalidParam(member, fmt.Sprintf("Member must have value less than or equal to %d", maxV))
	}
	return nil
}

func checkListSize(member string, n, minN, maxN int) error {
	if n < minN {
		return errInvalidParam(member, fmt.Sprintf("Member must have length greater than or equal to %d", minN))
	}
	if maxN > 0 && n > maxN {
		return errInvalidParam(member, fmt.Sprintf("Member must have length less than or equal to %d", maxN))
	}
	return nil
}

// checkRepositoryName validates a RepositoryName member (2..256, pattern).
func checkRepositoryName(member string, name *string) error {
	if err := checkRequired(member, name != nil); err != nil {
		return err
	}
	if err := checkLength(member, *name, 2, 256); err != nil {
		return err
	}
	if !reRepositoryName.MatchString(*name) {
		return errInvalidParam(member, "must satisfy regular expression '"+repositoryNamePattern+"'")
	}
	return nil
}

// checkRegistryID validates an optional registryId and returns the
// effective registry id (the caller's account when absent).
func checkRegistryID(r *request, id *string) (string, error) {
	if id == nil {
		return r.account, nil
	}
	if !reRegistryID.MatchString(*id) {
		return "", errInvalidParam("registryId", "Member must satisfy regular expression pattern: [0-9]{12}")
	}
	return *id, nil
}

// tagInput is a Tag as sent: pointers tell an absent member from "". Only
// input is decoded this way; the state keeps Tag.
type tagInput struct {
	Key   *string `json:"Key"`
	Value *string `json:"Value"`
}

// checkTags enforces ECR's tag rules for a list being added to a resource
// (member names the list) and returns the tags.
func checkTags(member string, in []tagInput) ([]Tag, error) {
	tags := make([]Tag, 0, len(in))
	for _, t := range in {
		// Assumption: both members are required by the model, so an absent
		// one fails the model's null check, named in ECR's
		// "<list>.member.<member>" style; an empty key is still a tag error.
		if err := checkRequired(member+".member.key", t.Key != nil); err != nil {
			return nil, err
		}
		if err := checkRequired(member+".member.value", t.Value != nil); err != nil {
			return nil, err
		}
		tags = append(tags, Tag{Key: *t.Key, Value: *t.Value})
	}
	for _, t := range tags {
		if t.Key == "" {
			return nil, apiErr("InvalidTagParameterException", "The tag key cannot be empty.")
		}
		if utf8.RuneCountInString(t.Key) > 128 {
			return nil, apiErr("InvalidTagParameterException", "The tag key '%s' exceeds the maximum length of 128 characters.", t.Key)
		}
		if utf8.RuneCountInString(t.Value) > 256 {
			return nil, apiErr("InvalidTagParameterException", "The tag value for key '%s' exceeds the maximum length of 256 characters.", t.Key)
		}
		// Assumption: the aws: prefix is reserved, as everywhere in AWS.
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, apiErr("InvalidTagParameterException", "The tag key '%s' uses the reserved prefix 'aws:'.", t.Key)
		}
	}
	return tags, nil
}

// mergeTags applies add to existing (overwrite by key) and enforces the
// 50-tag limit on the result.
func mergeTags(existing, add []Tag) ([]Tag, error) {
	out := slices.Clone(existing)
	for _, t := range add {
		i := slices.IndexFunc(out, func(x Tag) bool { return x.Key == t.Key })
		if i >= 0 {
			out[i].Value = t.Value
		} else {
			out = append(out, t)
		}
	}
	if len(out) > 50 {
		return nil, apiErr("TooManyTagsException", "The number of tags (%d) exceeds the limit of 50 tags per resource.", len(out))
	}
	return out, nil
}

// ---- paging ----

type pageToken struct {
	After string `json:"a"`
	Op    string `json:"o"`
}

// paginate pages through keys (already in order). It returns the slice of
// keys for this page and the token for the next one ("" when done).
// defaultMax applies when maxResults is nil; limit is the model's maximum.
func paginate(r *request, keys []string, nextToken *string, maxResults *int64, defaultMax, limit int) ([]string, string, error) {
	n := defaultMax
	if maxResults != nil {
		if err := checkRange("maxResults", *maxResults, 1, int64(limit)); err != nil {
			return nil, "", err
		}
		n = int(*maxResults)
	}
	start := 0
	if nextToken != nil && *nextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*nextToken)
		var tok pageToken
		if err == nil {
			err = json.Unmarshal(raw, &tok)
		}
		if err != nil || tok.Op != r.op {
			return nil, "", errInvalidParam("nextToken", "Invalid NextToken")
		}
		// Continue after the last key served; if it is gone, after the first
		// key that sorts past it.
		if i := slices.Index(keys, tok.After); i >= 0 {
			start = i + 1
		} else {
			for start < len(keys) && keys[start] <= tok.After {
				start++
			}
		}
	}
	end := min(start+n, len(keys))
	page := keys[start:end]
	next := ""
	if end < len(keys) {
		b, _ := json.Marshal(pageToken{After: keys[end-1], Op: r.op})
		next = base64.RawURLEncoding.EncodeToString(b)
	}
	return page, next, nil
}

// strOrNil returns nil for "" so that omitempty drops it.
func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
