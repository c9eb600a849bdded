// Package framework is the small base every ECR resource and data source
// embeds: the configured client and provider-level settings.
package framework

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// Meta is what the provider's Configure hands to resources and data sources.
type Meta struct {
	Client      *ecr.Client
	Region      string
	DefaultTags map[string]string
	// DefaultTagsUnknown is set while planning with default_tags that are
	// not known yet (they depend on a resource): DefaultTags then holds
	// only the known ones, and tags_all cannot be planned.
	DefaultTagsUnknown bool
	IgnoreTags         IgnoreTags

	accountOnce sync.Once
	accountID   string
	accountErr  error
}

// IgnoreTags is the provider's ignore_tags block.
type IgnoreTags struct {
	Keys        []string
	KeyPrefixes []string
}

// Ignored reports whether a tag key is ignored by the provider configuration.
func (t IgnoreTags) Ignored(key string) bool {
	for _, k := range t.Keys {
		if k == key {
			return true
		}
	}
	for _, p := range t.KeyPrefixes {
		if strings.HasPrefix(key, p) {
			return true
		}
	}
	return false
}

// AccountID returns the caller's account id, read once from DescribeRegistry
// (no STS call, so it works against an emulator).
func (m *Meta) AccountID(ctx context.Context) (string, error) {
	m.accountOnce.Do(func() {
		out, err := m.Client.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
		if err != nil {
			m.accountErr = fmt.Errorf("reading the account id (DescribeRegistry): %w", err)
			return
		}
		m.accountID = aws.ToString(out.RegistryId)
	})
	return m.accountID, m.accountErr
}
