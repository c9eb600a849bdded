package emulator

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ecrkit/terraform-provider-ecr/internal/iampolicy"
)

// Repositories ECR creates on its own: on a push to a repository that does
// not exist (CREATE_ON_PUSH), in a replication destination (REPLICATION)
// and on a pull through a cache rule (PULL_THROUGH_CACHE). Each takes its
// settings from the repository creation template that applies to the new
// name for that use.

// templateFor returns the creation template that applies to a new
// repository name for use (an appliedFor value), or nil. A template applies
// to the names under its prefix ("team" and "team/" both apply to
// "team/app"); the longest such prefix wins, and ROOT applies to every name
// no other template does. Assumption: only templates that list use are
// considered, so a more specific template for another use does not hide a
// shorter (or ROOT) one for this use.
func templateFor(reg *Registry, name, use string) *RepositoryCreationTemplate {
	var best *RepositoryCreationTemplate
	bestLen := -1
	for key, t := range reg.Templates {
		if !slices.Contains(t.AppliedFor, use) {
			continue
		}
		l := len(key)
		switch {
		case key == "ROOT":
			l = 0
		case !strings.HasPrefix(name, key+"/"):
			continue
		}
		if l > bestLen {
			best, bestLen = t, l
		}
	}
	return best
}

// createRepositoryFrom creates repository name in reg with the settings of
// t (nil: CreateRepository's defaults) and stores it. The caller holds the
// write lock and has checked that the name is free; reg may be another
// registry than the caller's (replication).
func (e *Emulator) createRepositoryFrom(reg *Registry, name string, t *RepositoryCreationTemplate) (*Repository, error) {
	if err := checkRepositoryName("repositoryName", &name); err != nil {
		return nil, err
	}
	repo := &Repository{
		RepositoryMeta: RepositoryMeta{
			RepositoryArn:              repositoryARN(reg.Region, reg.Account, name),
			RegistryID:                 reg.Account,
			RepositoryName:             name,
			RepositoryURI:              repositoryURI(reg.Region, reg.Account, name),
			CreatedAt:                  ts(e.now()),
			ImageTagMutability:         "MUTABLE",
			ImageScanningConfiguration: &ImageScanningConfig{},
			EncryptionConfiguration:    &EncryptionConfiguration{EncryptionType: "AES256"},
		},
		Data: RepositoryData{
			Tags:     []Tag{},
			Images:   map[string]*Image{},
			TagIndex: map[string]string{},
			Layers:   map[string]*Layer{},
			Uploads:  map[string]*Upload{},
		},
	}
	if t != nil {
		if t.ImageTagMutability != "" {
			repo.ImageTagMutability = t.ImageTagMutability
			repo.ImageTagMutabilityExclusionFilters = slices.Clone(t.ImageTagMutabilityExclusionFilters)
		}
		if enc := t.EncryptionConfiguration; enc != nil {
			c := *enc
			if c.EncryptionType != "AES256" && c.KmsKey == "" {
				// As CreateRepository: the AWS managed key aws/ecr.
				c.KmsKey = fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", partition(reg.Region), reg.Region, reg.Account, e.ids.uuid())
			}
			repo.EncryptionConfiguration = &c
		}
		repo.Data.Tags = slices.Clone(t.ResourceTags)
		if repo.Data.Tags == nil {
			repo.Data.Tags = []Tag{}
		}
		if t.RepositoryPolicy != "" {
			// The template's policy was validated when it was stored.
			text, err := iampolicy.Format(t.RepositoryPolicy)
			if err != nil {
				return nil, err
			}
			repo.Data.Policy = &text
		}
		if t.LifecyclePolicy != "" {
			_, text, err := parseLifecyclePolicy(t.LifecyclePolicy)
			if err != nil {
				return nil, err
			}
			repo.Data.LifecyclePolicy = &text
		}
	}
	e.storeRepository(reg, name, repo)
	return repo, nil
}

// pushRepository is the repository a push over the registry protocol goes
// to (InitiateLayerUpload, PutImage): the existing one, else one created
// from the creation template that applies to name for CREATE_ON_PUSH,
// else RepositoryNotFoundException (NAME_UNKNOWN). It runs under the write
// lock.
func pushRepository(req *request, reg *Registry, name string) (*Repository, error) {
	repo, err := findRepository(req, reg, nil, &name)
	if err == nil || reg.Repositories[name] != nil {
		return repo, err
	}
	if toAPIError(err).Type != "RepositoryNotFoundException" {
		return nil, err
	}
	t := templateFor(reg, name, "CREATE_ON_PUSH")
	if t == nil {
		return nil, err
	}
	return req.e.createRepositoryFrom(reg, name, t)
}
