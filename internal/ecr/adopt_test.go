package ecr_test

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

// A repository is adopted only if it was created within the call's window
// with the settings the call asked for.
func TestRepositoryMatches(t *testing.T) {
	created := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	repo := func(edit func(*awstypes.Repository)) *awstypes.Repository {
		r := &awstypes.Repository{
			CreatedAt:                  aws.Time(created),
			ImageTagMutability:         awstypes.ImageTagMutabilityImmutable,
			ImageScanningConfiguration: &awstypes.ImageScanningConfiguration{ScanOnPush: true},
			EncryptionConfiguration: &awstypes.EncryptionConfiguration{EncryptionType: awstypes.EncryptionTypeKms,
				KmsKey: aws.String("arn:aws:kms:us-west-2:123456789012:key/1234abcd")},
		}
		if edit != nil {
			edit(r)
		}
		return r
	}
	input := &awsecr.CreateRepositoryInput{
		ImageTagMutability:         awstypes.ImageTagMutabilityImmutable,
		ImageScanningConfiguration: &awstypes.ImageScanningConfiguration{ScanOnPush: true},
		EncryptionConfiguration:    &awstypes.EncryptionConfiguration{EncryptionType: awstypes.EncryptionTypeKms, KmsKey: aws.String("1234abcd")},
	}
	from, to := created.Add(-time.Second), created.Add(time.Second)
	tests := []struct {
		name string
		repo *awstypes.Repository
		want string // in the error; "" for a match
	}{
		{"same", repo(nil), ""},
		{"created before the call", repo(func(r *awstypes.Repository) { r.CreatedAt = aws.Time(from.Add(-time.Second)) }), "outside this call"},
		{"created after the call", repo(func(r *awstypes.Repository) { r.CreatedAt = aws.Time(to.Add(time.Second)) }), "outside this call"},
		{"other mutability", repo(func(r *awstypes.Repository) { r.ImageTagMutability = awstypes.ImageTagMutabilityMutable }), "image_tag_mutability"},
		{"scan on push off", repo(func(r *awstypes.Repository) { r.ImageScanningConfiguration = nil }), "scan_on_push"},
		{"other key", repo(func(r *awstypes.Repository) {
			r.EncryptionConfiguration.KmsKey = aws.String("arn:aws:kms:us-west-2:123456789012:key/other")
		}), "encryption"},
	}
	for _, tc := range tests {
		err := ecr.RepositoryMatches(tc.repo, input, from, to)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one about %q", tc.name, err, tc.want)
		}
	}
}

// Only failures that may have made the change count as ambiguous.
func TestMayHaveBeenCarriedOut(t *testing.T) {
	respErr := func(status int) error {
		return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: errors.New("boom")}}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"500", respErr(500), true},
		{"503", respErr(503), true},
		{"400 throttled", respErr(400), false},
		{"dropped connection", respErr(0), true},
		{"refused", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, false},
	}
	for _, tc := range tests {
		if got := ecr.MayHaveBeenCarriedOut(tc.err); got != tc.want {
			t.Errorf("%s: %t, want %t", tc.name, got, tc.want)
		}
	}
}
