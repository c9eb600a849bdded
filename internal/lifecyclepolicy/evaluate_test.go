package lifecyclepolicy_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ecrkit/terraform-provider-ecr/internal/lifecyclepolicy"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func daysAgo(d int) time.Time { return now.Add(-time.Duration(d) * 24 * time.Hour) }

func img(digest string, pushedDaysAgo int, tags ...string) lifecyclepolicy.Image {
	return lifecyclepolicy.Image{Digest: digest, Tags: tags, PushedAt: daysAgo(pushedDaysAgo)}
}

// summary renders results as "digest:priority:action" in result order.
func summary(rs []lifecyclepolicy.Result) string {
	var parts []string
	for _, r := range rs {
		a := r.Action.Type
		if r.Action.TargetStorageClass != "" {
			a += ">" + r.Action.TargetStorageClass
		}
		parts = append(parts, fmt.Sprintf("%s:%d:%s", r.Image.Digest, r.RulePriority, a))
	}
	return strings.Join(parts, " ")
}

func TestEvaluate(t *testing.T) {
	archived := func(im lifecyclepolicy.Image, archivedDaysAgo int) lifecyclepolicy.Image {
		im.StorageClass = lifecyclepolicy.StorageClassArchive
		im.LastArchivedAt = daysAgo(archivedDaysAgo)
		return im
	}
	pulled := func(im lifecyclepolicy.Image, pulledDaysAgo int) lifecyclepolicy.Image {
		im.LastPulledAt = daysAgo(pulledDaysAgo)
		return im
	}
	cases := []struct {
		name   string
		rules  []string
		images []lifecyclepolicy.Image
		want   string
	}{
		{
			name:   "keep newest N",
			rules:  []string{rule("1", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":2}`, expire)},
			images: []lifecyclepolicy.Image{img("a", 5), img("b", 1), img("c", 3), img("d", 4, "x")},
			want:   "a:1:expire d:1:expire",
		},
		{
			name:   "count not exceeded",
			rules:  []string{rule("1", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":3}`, expire)},
			images: []lifecyclepolicy.Image{img("a", 5), img("b", 1), img("c", 3)},
			want:   "",
		},
		{
			name:   "untagged since pushed",
			rules:  []string{ruleUntagged},
			images: []lifecyclepolicy.Image{img("old", 20), img("new", 2), img("oldtagged", 30, "v1"), img("edge", 14)},
			want:   "old:1:expire",
		},
		{
			name:  "prefix list needs every prefix on some tag",
			rules: []string{rule("1", `{"tagStatus":"tagged","tagPrefixList":["prod","v"],"countType":"sinceImagePushed","countUnit":"days","countNumber":1}`, expire)},
			images: []lifecyclepolicy.Image{
				img("both", 5, "prod-1", "v1"), img("prodonly", 5, "prod-2"), img("vonly", 5, "v2"), img("none", 5),
			},
			want: "both:1:expire",
		},
		{
			name:  "pattern list wildcards",
			rules: []string{rule("1", `{"tagStatus":"tagged","tagPatternList":["*-rc*"],"countType":"imageCountMoreThan","countNumber":1}`, expire)},
			images: []lifecyclepolicy.Image{
				img("rc1", 3, "1.0-rc1"), img("rc2", 2, "2.0-rc2", "latest"), img("final", 1, "2.0"), img("rc0", 9, "0.1-rc0"),
			},
			want: "rc0:1:expire rc1:1:expire",
		},
		{
			name: "higher priority rule protects its images",
			rules: []string{
				rule("1", `{"tagStatus":"tagged","tagPrefixList":["prod"],"countType":"imageCountMoreThan","countNumber":1}`, expire),
				rule("2", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}`, expire),
			},
			// prod-new is kept by rule 1 but still counts for rule 2, so
			// dev (older) exceeds rule 2's count; prod-old goes by rule 1.
			images: []lifecyclepolicy.Image{img("prod-new", 1, "prod-2"), img("prod-old", 5, "prod-1"), img("dev", 3, "dev-1")},
			want:   "prod-old:1:expire dev:2:expire",
		},
		{
			name: "rule order is by priority, not position",
			rules: []string{
				rule("5", `{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1}`, expire),
				rule("2", `{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1}`, `{"type":"transition","targetStorageClass":"archive"}`),
			},
			images: []lifecyclepolicy.Image{img("u", 3), img("t", 3, "x")},
			want:   "u:2:transition>archive t:5:expire",
		},
		{
			name:   "since pulled falls back to push",
			rules:  []string{rule("1", `{"tagStatus":"any","countType":"sinceImagePulled","countUnit":"days","countNumber":10}`, `{"type":"transition","targetStorageClass":"archive"}`)},
			images: []lifecyclepolicy.Image{pulled(img("recent", 50), 2), pulled(img("stale", 50), 20), img("never", 30), img("fresh", 1)},
			want:   "stale:1:transition>archive never:1:transition>archive",
		},
		{
			name: "storage classes are separate",
			rules: []string{
				rule("1", `{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1}`, `{"type":"transition","targetStorageClass":"archive"}`),
				rule("2", `{"tagStatus":"any","storageClass":"archive","countType":"sinceImageTransitioned","countUnit":"days","countNumber":30}`, expire),
			},
			images: []lifecyclepolicy.Image{
				img("s1", 1), img("s2", 2), archived(img("a-old", 100), 40), archived(img("a-new", 100), 10),
				{Digest: "restoring", PushedAt: daysAgo(100), StorageClass: "activating"},
			},
			want: "s2:1:transition>archive a-old:2:expire",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := lifecyclepolicy.Parse(policy(tc.rules...))
			if err != nil {
				t.Fatal(err)
			}
			rs := p.Evaluate(tc.images, now)
			if got := summary(rs); got != tc.want {
				t.Errorf("Evaluate = %q\nwant       %q", got, tc.want)
			}
			for _, r := range rs {
				if tc.images[r.Index].Digest != r.Image.Digest {
					t.Errorf("result index %d does not point at %s", r.Index, r.Image.Digest)
				}
			}
		})
	}
}

func TestMatchWildcard(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"prod", "prod", true},
		{"prod", "prod1", false},
		{"prod*", "prod1", true},
		{"prod*", "prod", true},
		{"*prod", "my-prod", true},
		{"*prod", "prod-x", false},
		{"a*b*c", "aXXbYYc", true},
		{"a*b*c", "aXXbYY", false},
		{"*", "", true},
		{"**", "x", true},
		{"a*a", "a", false},
		{"*-rc*", "1.0-rc1", true},
		{"v*.*.*", "v1.2.3", true},
		{"v*.*.*", "v1.2", false},
	} {
		if got := lifecyclepolicy.MatchWildcard(tc.pattern, tc.s); got != tc.want {
			t.Errorf("MatchWildcard(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}
