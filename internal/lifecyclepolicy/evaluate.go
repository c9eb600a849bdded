package lifecyclepolicy

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Image is what the evaluator needs to know about one image.
type Image struct {
	Digest       string
	Tags         []string
	PushedAt     time.Time
	LastPulledAt time.Time // zero when never pulled
	// StorageClass is StorageClassStandard or StorageClassArchive ("" means
	// standard). Any other value (e.g. an image being restored) is never
	// selected by a rule.
	StorageClass   string
	LastArchivedAt time.Time // when the image moved to archive; zero if never
}

func (im Image) storageClass() string {
	if im.StorageClass == "" {
		return StorageClassStandard
	}
	return im.StorageClass
}

// Result is the action one rule takes on one image.
type Result struct {
	Index        int   // index of the image in the slice given to Evaluate
	Image        Image // that image
	RulePriority int
	Action       Action
}

// Evaluate applies the policy to images at time now, following ECR's
// documented evaluation rules:
//   - rules are applied in increasing rulePriority;
//   - a rule selects the images of its storage class whose tags match its
//     tagStatus and lists (every prefix of tagPrefixList must be a prefix
//     of some tag of the image, every pattern of tagPatternList must match
//     some tag, '*' matching any run of characters);
//   - an image selected by a rule is never acted on by a later rule, so an
//     image gets at most one action; later rules still see it when they
//     count (imageCountMoreThan ranks all selected images, newest pushed
//     first, and acts on those past countNumber);
//   - sinceImagePushed/Pulled/Transitioned act on images whose push, last
//     pull or archive time is more than countNumber days before now.
//
// Results are ordered by rule priority, then oldest push first.
func (p *Policy) Evaluate(images []Image, now time.Time) []Result {
	rules := slices.Clone(p.Rules)
	slices.SortStableFunc(rules, func(a, b Rule) int { return cmp.Compare(a.RulePriority, b.RulePriority) })
	claimed := make([]bool, len(images))
	var out []Result
	for _, rule := range rules {
		var selected []int
		for i, im := range images {
			if rule.selects(im) {
				selected = append(selected, i)
			}
		}
		var acted []int
		for _, i := range rule.exceeding(images, selected, now) {
			if !claimed[i] {
				acted = append(acted, i)
			}
		}
		for _, i := range selected {
			claimed[i] = true
		}
		slices.SortFunc(acted, func(a, b int) int { return olderFirst(images[a], images[b]) })
		for _, i := range acted {
			out = append(out, Result{Index: i, Image: images[i], RulePriority: rule.RulePriority, Action: rule.Action})
		}
	}
	return out
}

func olderFirst(a, b Image) int {
	if c := a.PushedAt.Compare(b.PushedAt); c != 0 {
		return c
	}
	return strings.Compare(a.Digest, b.Digest)
}

// selects reports whether the rule's selection (storage class and tags)
// covers the image, regardless of its count criteria.
func (r Rule) selects(im Image) bool {
	s := r.Selection
	if im.storageClass() != s.EffectiveStorageClass() {
		return false
	}
	switch s.TagStatus {
	case TagStatusAny:
		return true
	case TagStatusUntagged:
		return len(im.Tags) == 0
	case TagStatusTagged:
		if len(im.Tags) == 0 {
			return false
		}
		for _, prefix := range s.TagPrefixList {
			if !slices.ContainsFunc(im.Tags, func(t string) bool { return strings.HasPrefix(t, prefix) }) {
				return false
			}
		}
		for _, pat := range s.TagPatternList {
			if !slices.ContainsFunc(im.Tags, func(t string) bool { return MatchWildcard(pat, t) }) {
				return false
			}
		}
		return true
	}
	return false
}

// exceeding returns the selected images that meet the rule's count criteria.
func (r Rule) exceeding(images []Image, selected []int, now time.Time) []int {
	s := r.Selection
	if s.CountType == CountTypeImageCountMoreThan {
		ranked := slices.Clone(selected)
		slices.SortFunc(ranked, func(a, b int) int { return olderFirst(images[b], images[a]) })
		if len(ranked) <= s.CountNumber {
			return nil
		}
		return ranked[s.CountNumber:]
	}
	limit := time.Duration(s.CountNumber) * 24 * time.Hour
	var out []int
	for _, i := range selected {
		im := images[i]
		ref := im.PushedAt
		switch s.CountType {
		case CountTypeSinceImagePulled:
			// Assumption: an image never pulled counts from its push.
			if !im.LastPulledAt.IsZero() {
				ref = im.LastPulledAt
			}
		case CountTypeSinceImageTransitioned:
			// Assumption: an archived image without an archive time counts
			// from its push.
			if !im.LastArchivedAt.IsZero() {
				ref = im.LastArchivedAt
			}
		}
		if now.Sub(ref) > limit {
			out = append(out, i)
		}
	}
	return out
}

// MatchWildcard reports whether s matches pattern, where '*' matches any
// run of characters (possibly empty) and every other character matches
// itself.
func MatchWildcard(pattern, s string) bool {
	// Iterative matching with backtracking to the last '*'.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && pattern[p] == s[i]:
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
