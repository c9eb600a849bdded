package ecruri_test

import (
	"testing"

	"github.com/ecrkit/terraform-provider-ecr/internal/ecruri"
)

func TestPartitions(t *testing.T) {
	for _, tc := range []struct{ region, partition, suffix string }{
		{"us-west-2", "aws", "amazonaws.com"},
		{"cn-north-1", "aws-cn", "amazonaws.com.cn"},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com"},
		{"us-iso-east-1", "aws-iso", "c2s.ic.gov"},
		{"us-isob-east-1", "aws-iso-b", "sc2s.sgov.gov"},
		{"us-isof-south-1", "aws-iso-f", "csp.hci.ic.gov"},
		{"eu-isoe-west-1", "aws-iso-e", "cloud.adc-e.uk"},
		{"eusc-de-east-1", "aws-eusc", "amazonaws.eu"},
	} {
		if p, s := ecruri.Partition(tc.region), ecruri.DNSSuffix(tc.region); p != tc.partition || s != tc.suffix {
			t.Errorf("%s: partition %s, suffix %s; want %s, %s", tc.region, p, s, tc.partition, tc.suffix)
		}
	}
}

func TestParseImageURI(t *testing.T) {
	const d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		uri  string
		want ecruri.Image
		err  bool
	}{
		{uri: "123456789012.dkr.ecr.us-west-2.amazonaws.com/a/b:v1",
			want: ecruri.Image{RegistryID: "123456789012", Region: "us-west-2", DNSSuffix: "amazonaws.com", Repository: "a/b", Tag: "v1"}},
		{uri: "https://123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app@" + d,
			want: ecruri.Image{RegistryID: "123456789012", Region: "us-gov-west-1", DNSSuffix: "amazonaws.com", Repository: "app", Digest: d}},
		{uri: "123456789012.dkr.ecr.us-west-2.amazonaws.com/app", err: true},
		{uri: "123456789012.dkr.ecr.us-west-2.amazonaws.com/App:v1", err: true},
		{uri: "123456789012.dkr.ecr.us-west-2.amazonaws.com/app:.bad", err: true},
		{uri: "ghcr.io/app:v1", err: true},
		{uri: "no-slash", err: true},
	} {
		got, err := ecruri.ParseImageURI(tc.uri)
		if (err != nil) != tc.err || err == nil && got != tc.want {
			t.Errorf("ParseImageURI(%q) = %+v, %v", tc.uri, got, err)
		}
		if err == nil {
			ref := got.Tag
			if got.Digest != "" {
				ref = got.Digest
			}
			if back, _ := ecruri.ParseImageURI(ecruri.ImageURI(got.RegistryID, got.Region, got.Repository, ref)); back.Repository != got.Repository {
				t.Errorf("round trip of %q: %+v", tc.uri, back)
			}
		}
	}
}
