// Package ecruri builds and parses the names ECR gives things: registry
// hosts, image URIs and repository ARNs, in every AWS partition. The ecr
// package and the provider functions share it.
package ecruri

import (
	"fmt"
	"regexp"
	"strings"
)

// partition is an AWS partition: its ARN name and the DNS suffix of its
// ECR registry hosts.
type partition struct {
	name, dnsSuffix string
	prefixes        []string // Region prefixes, most specific first
}

// partitions, each matched by Region prefix; the first match wins, so the
// more specific prefixes (us-gov-, us-iso-, us-isob-, us-isof-) come
// before the commercial partition, which takes the rest.
var partitions = []partition{
	{"aws-cn", "amazonaws.com.cn", []string{"cn-"}},
	{"aws-us-gov", "amazonaws.com", []string{"us-gov-"}},
	{"aws-iso-b", "sc2s.sgov.gov", []string{"us-isob-"}},
	{"aws-iso-f", "csp.hci.ic.gov", []string{"us-isof-"}},
	{"aws-iso-e", "cloud.adc-e.uk", []string{"eu-isoe-"}},
	{"aws-iso", "c2s.ic.gov", []string{"us-iso-"}},
	{"aws-eusc", "amazonaws.eu", []string{"eusc-"}},
	{"aws", "amazonaws.com", nil},
}

func partitionOf(region string) partition {
	for _, p := range partitions {
		for _, prefix := range p.prefixes {
			if strings.HasPrefix(region, prefix) {
				return p
			}
		}
	}
	return partitions[len(partitions)-1]
}

// Partition is the ARN partition of a Region (aws, aws-cn, aws-us-gov...).
func Partition(region string) string { return partitionOf(region).name }

// DNSSuffix is the domain of a Region's ECR endpoints (amazonaws.com,
// amazonaws.com.cn...).
func DNSSuffix(region string) string { return partitionOf(region).dnsSuffix }

// RegistryHost is the registry's host, <registry_id>.dkr.ecr.<region>.<domain>.
func RegistryHost(registryID, region string) string {
	return fmt.Sprintf("%s.dkr.ecr.%s.%s", registryID, region, DNSSuffix(region))
}

// RepositoryURI is <registry host>/<repository>.
func RepositoryURI(registryID, region, repository string) string {
	return RegistryHost(registryID, region) + "/" + repository
}

// IsDigest reports whether ref is a digest (<algorithm>:<hex>) rather than
// a tag: tags cannot hold ':'.
func IsDigest(ref string) bool { return strings.Contains(ref, ":") }

// ImageURI is <repository URI>@<digest> for a digest, <repository URI>:<tag>
// for a tag.
func ImageURI(registryID, region, repository, tagOrDigest string) string {
	sep := ":"
	if IsDigest(tagOrDigest) {
		sep = "@"
	}
	return RepositoryURI(registryID, region, repository) + sep + tagOrDigest
}

// Image is a parsed image URI.
type Image struct {
	RegistryID, Region, DNSSuffix, Repository, Tag, Digest string
}

var (
	reHost       = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-[a-z]+)+-[0-9]+)\.([a-z0-9.-]+)$`)
	reRepository = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)
	reTag        = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	reDigest     = regexp.MustCompile(`^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$`)
)

// ParseImageURI parses <registry host>/<repository>[:<tag>][@<digest>], the
// form `docker pull` takes for an ECR image (an optional https:// is
// dropped). A URI with neither tag nor digest names no image: an error.
func ParseImageURI(uri string) (Image, error) {
	var img Image
	rest := strings.TrimPrefix(uri, "https://")
	host, path, ok := strings.Cut(rest, "/")
	if !ok {
		return img, fmt.Errorf("%q is not an ECR image URI: want <account>.dkr.ecr.<region>.<domain>/<repository>:<tag> or @<digest>", uri)
	}
	m := reHost.FindStringSubmatch(host)
	if m == nil {
		return img, fmt.Errorf("%q is not an ECR registry host: want <account>.dkr.ecr.<region>.<domain>", host)
	}
	img.RegistryID, img.Region, img.DNSSuffix = m[1], m[2], m[3]
	if path, img.Digest, ok = strings.Cut(path, "@"); ok && !reDigest.MatchString(img.Digest) {
		return img, fmt.Errorf("%q: %q is not a digest (want sha256:<hex>)", uri, img.Digest)
	}
	// A ':' after the last '/' starts the tag.
	if i := strings.LastIndex(path, ":"); i > strings.LastIndex(path, "/") {
		path, img.Tag = path[:i], path[i+1:]
		if !reTag.MatchString(img.Tag) {
			return img, fmt.Errorf("%q: %q is not a valid image tag", uri, img.Tag)
		}
	}
	if !reRepository.MatchString(path) {
		return img, fmt.Errorf("%q: %q is not a valid repository name", uri, path)
	}
	img.Repository = path
	if img.Tag == "" && img.Digest == "" {
		return img, fmt.Errorf("%q names a repository, not an image: add :<tag> or @<digest>", uri)
	}
	return img, nil
}

var (
	reRegistryID = regexp.MustCompile(`^[0-9]{12}$`)
	reRegion     = regexp.MustCompile(`^[a-z]{2}(?:-[a-z]+)+-[0-9]+$`)
)

// CheckRegistryID checks a registry id: 12 digits.
func CheckRegistryID(id string) error {
	if !reRegistryID.MatchString(id) {
		return fmt.Errorf("%q is not a registry id: want the 12-digit AWS account id", id)
	}
	return nil
}

// CheckRegion checks a Region name (us-west-2).
func CheckRegion(region string) error {
	if !reRegion.MatchString(region) {
		return fmt.Errorf("%q is not an AWS Region name such as us-west-2", region)
	}
	return nil
}

// CheckRepository checks a repository name as ECR does.
func CheckRepository(name string) error {
	if len(name) < 2 || len(name) > 256 || !reRepository.MatchString(name) {
		return fmt.Errorf("%q is not a repository name: lowercase letters and digits in groups separated by '.', '_' or '-', with '/' between path parts", name)
	}
	return nil
}

// CheckTagOrDigest checks an image tag or digest.
func CheckTagOrDigest(ref string) error {
	if IsDigest(ref) {
		if !reDigest.MatchString(ref) {
			return fmt.Errorf("%q is not a digest such as sha256:<64 hex digits>", ref)
		}
		return nil
	}
	if !reTag.MatchString(ref) {
		return fmt.Errorf("%q is not an image tag: letters, digits, '_', '.' and '-', not starting with '.' or '-', at most 128 characters", ref)
	}
	return nil
}

// RepositoryARN is arn:<partition>:ecr:<region>:<registry_id>:repository/<name>.
func RepositoryARN(registryID, region, repository string) string {
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", Partition(region), region, registryID, repository)
}
