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
	// Client is the ECR client of the provider's Region; ClientIn gives
	// one for any Region (a resource's `region` argument).
	Client      *ecr.Client
	Region      string
	DefaultTags map[string]string
	// DefaultTagsUnknown is set while planning with default_tags that are
	// not known yet (they depend on a resource): DefaultTags then holds
	// only the known ones, and tags_all cannot be planned.
	DefaultTagsUnknown bool
	IgnoreTags         IgnoreTags

	accountMu sync.Mutex
	accountID string

	clientsMu sync.Mutex
	clients   map[string]*ecr.Client // by Region, other than the provider's
}

// ClientIn returns the ECR client for a Region: Client for the provider's
// Region (or ""), else a client with the same configuration (credentials,
// endpoint, retries, HTTP client) but that Region, created on first use
// and kept. One account has a registry per Region; AccountID is the same
// for all.
func (m *Meta) ClientIn(region string) *ecr.Client {
	if region == "" || region == m.Region {
		return m.Client
	}
	m.clientsMu.Lock()
	defer m.clientsMu.Unlock()
	if c, ok := m.clients[region]; ok {
		return c
	}
	if m.clients == nil {
		m.clients = map[string]*ecr.Client{}
	}
	c := ecr.New(m.Client.Options(), func(o *ecr.Options) { o.Region = region })
	m.clients[region] = c
	return c
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

// AccountID returns the caller's account id, read from DescribeRegistry
// (no STS call, so it works against an emulator) on first use and then
// kept. A failure is not kept: the next call tries again (the first
// caller's context may have been cancelled, or the error transient).
func (m *Meta) AccountID(ctx context.Context) (string, error) {
	m.accountMu.Lock()
	defer m.accountMu.Unlock()
	if m.accountID != "" {
		return m.accountID, nil
	}
	out, err := m.Client.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
	if err != nil {
		return "", fmt.Errorf("reading the account id (DescribeRegistry): %w", err)
	}
	m.accountID = aws.ToString(out.RegistryId)
	return m.accountID, nil
}
