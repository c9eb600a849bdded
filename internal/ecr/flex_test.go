package ecr

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

func TestExpandFlattenEncryptionConfiguration(t *testing.T) {
	t.Parallel()
	for name, in := range map[string]*awstypes.EncryptionConfiguration{
		"aes256":   {EncryptionType: awstypes.EncryptionTypeAes256},
		"kms":      {EncryptionType: awstypes.EncryptionTypeKms, KmsKey: aws.String("arn:aws:kms:us-west-2:123456789012:key/k1")},
		"kms_dsse": {EncryptionType: awstypes.EncryptionTypeKmsDsse, KmsKey: aws.String("k2")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := expandEncryptionConfiguration(flattenEncryptionConfiguration(in)); !reflect.DeepEqual(in, got) {
				t.Errorf("round trip: got %+v, want %+v", got, in)
			}
		})
	}
	if got := flattenEncryptionConfiguration(nil); got == nil || len(got) != 0 {
		t.Errorf("flatten(nil) = %#v, want an empty, non-nil list", got)
	}
	if got := expandEncryptionConfiguration(nil); got != nil {
		t.Errorf("expand(no block) = %#v, want nil (ECR's default)", got)
	}
}

func TestExpandFlattenImageScanningConfiguration(t *testing.T) {
	t.Parallel()
	for _, on := range []bool{false, true} {
		in := &awstypes.ImageScanningConfiguration{ScanOnPush: on}
		if got := expandImageScanningConfiguration(flattenImageScanningConfiguration(in)); !reflect.DeepEqual(in, got) {
			t.Errorf("round trip: got %+v, want %+v", got, in)
		}
	}
	if got := expandImageScanningConfiguration(nil); got == nil || got.ScanOnPush {
		t.Errorf("expand(no block) = %#v, want scan on push off", got)
	}
}

func TestExpandFlattenExclusionFilters(t *testing.T) {
	t.Parallel()
	in := []awstypes.ImageTagMutabilityExclusionFilter{
		{Filter: aws.String("latest"), FilterType: awstypes.ImageTagMutabilityExclusionFilterTypeWildcard},
		{Filter: aws.String("dev-*"), FilterType: awstypes.ImageTagMutabilityExclusionFilterTypeWildcard},
	}
	if got := expandExclusionFilters(flattenExclusionFilters(in)); !reflect.DeepEqual(in, got) {
		t.Errorf("round trip: got %+v, want %+v", got, in)
	}
	if got := expandExclusionFilters(flattenExclusionFilters(nil)); got != nil {
		t.Errorf("round trip of none = %#v, want nil", got)
	}
}

func TestSameKMSKey(t *testing.T) {
	t.Parallel()
	const (
		id       = "1234abcd-12ab-34cd-56ef-1234567890ab"
		keyARN   = "arn:aws:kms:us-west-2:123456789012:key/" + id
		alias    = "alias/ecr"
		aliasARN = "arn:aws:kms:us-west-2:123456789012:alias/ecr"
	)
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{id, id, true},
		{id, keyARN, true},
		{keyARN, id, true},
		{alias, aliasARN, true},
		{id, "other", false},
		{alias, keyARN, false},
		{keyARN, "arn:aws:kms:eu-west-1:123456789012:key/" + id, false}, // two ARNs: other region
		{id, "arn:aws:kms:us-west-2:123456789012:key/other", false},
		{"", id, false},
	} {
		if got := sameKMSKey(tc.a, tc.b); got != tc.want {
			t.Errorf("sameKMSKey(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSameEncryption(t *testing.T) {
	t.Parallel()
	aes := flattenEncryptionConfiguration(&awstypes.EncryptionConfiguration{EncryptionType: awstypes.EncryptionTypeAes256})
	kmsID := flattenEncryptionConfiguration(&awstypes.EncryptionConfiguration{EncryptionType: awstypes.EncryptionTypeKms, KmsKey: aws.String("k1")})
	kmsARN := flattenEncryptionConfiguration(&awstypes.EncryptionConfiguration{EncryptionType: awstypes.EncryptionTypeKms,
		KmsKey: aws.String("arn:aws:kms:us-west-2:123456789012:key/k1")})
	kmsOther := flattenEncryptionConfiguration(&awstypes.EncryptionConfiguration{EncryptionType: awstypes.EncryptionTypeKms, KmsKey: aws.String("k2")})
	none := []encryptionConfigurationModel{}
	for name, tc := range map[string]struct {
		state, plan []encryptionConfigurationModel
		want        bool
	}{
		"explicit default added":   {none, aes, true},
		"explicit default removed": {aes, none, true},
		"key id to ARN":            {kmsID, kmsARN, true},
		"other key":                {kmsID, kmsOther, false},
		"AES256 to KMS":            {aes, kmsID, false},
		"KMS to no block":          {kmsID, none, false},
	} {
		if got := sameEncryption(tc.state, tc.plan); got != tc.want {
			t.Errorf("%s: sameEncryption = %v, want %v", name, got, tc.want)
		}
	}
}
