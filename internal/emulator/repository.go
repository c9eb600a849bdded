package emulator

import (
	"fmt"
	"strings"
)

func init() {
	register("CreateRepository", false, createRepository)
	register("DescribeRepositories", true, describeRepositories)
	register("DeleteRepository", false, deleteRepository)
	register("PutImageTagMutability", false, putImageTagMutability)
	register("PutImageScanningConfiguration", false, putImageScanningConfiguration)
}

type createRepositoryInput struct {
	RegistryID                         *string                  `json:"registryId"`
	RepositoryName                     *string                  `json:"repositoryName"`
	Tags                               []tagInput               `json:"tags"`
	ImageTagMutability                 *string                  `json:"imageTagMutability"`
	ImageTagMutabilityExclusionFilters []ExclusionFilter        `json:"imageTagMutabilityExclusionFilters"`
	ImageScanningConfiguration         *ImageScanningConfig     `json:"imageScanningConfiguration"`
	EncryptionConfiguration            *EncryptionConfiguration `json:"encryptionConfiguration"`
}

type repositoryOutput struct {
	Repository *RepositoryMeta `json:"repository"`
}

// checkMutability validates a mutability setting and its exclusion filters
// together (CreateRepository, PutImageTagMutability, creation templates).
func checkMutability(mutability string, filters []ExclusionFilter) error {
	if err := checkEnum("imageTagMutability", mutability, enumTagMutability); err != nil {
		return err
	}
	withExclusion := strings.HasSuffix(mutability, "_WITH_EXCLUSION")
	if withExclusion && len(filters) == 0 {
		return errInvalidParam("imageTagMutabilityExclusionFilters",
			"ImageTagMutabilityExclusionFilters can't be null when imageTagMutability is set as "+mutability)
	}
	if !withExclusion && len(filters) > 0 {
		return errInvalidParam("imageTagMutabilityExclusionFilters",
			"ImageTagMutabilityExclusionFilters can only be set when imageTagMutability is set as IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION")
	}
	if err := checkListSize("imageTagMutabilityExclusionFilters", len(filters), 0, 5); err != nil {
		return err
	}
	for _, f := range filters {
		if err := checkEnum("imageTagMutabilityExclusionFilters.member.filterType", f.FilterType, []string{"WILDCARD"}); err != nil {
			return err
		}
		// ECR documents no limit on the number of '*' in a filter.
		if err := checkPattern("imageTagMutabilityExclusionFilters.member.filter", f.Filter, reExclusionFilter, "^[0-9a-zA-Z._*-]{1,128}"); err != nil {
			return err
		}
	}
	return nil
}

func createRepository(r *request, reg *Registry) (any, error) {
	var in createRepositoryInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	registryID, err := checkRegistryID(r, in.RegistryID)
	if err != nil {
		return nil, err
	}
	if err := checkRepositoryName("repositoryName", in.RepositoryName); err != nil {
		return nil, err
	}
	mutability := "MUTABLE"
	if in.ImageTagMutability != nil {
		mutability = *in.ImageTagMutability
	}
	if err := checkMutability(mutability, in.ImageTagMutabilityExclusionFilters); err != nil {
		return nil, err
	}
	enc := &EncryptionConfiguration{EncryptionType: "AES256"}
	if in.EncryptionConfiguration != nil {
		enc = in.EncryptionConfiguration
		if err := checkEnum("encryptionConfiguration.encryptionType", enc.EncryptionType, enumEncryptionType); err != nil {
			return nil, err
		}
		switch enc.EncryptionType {
		case "AES256":
			if enc.KmsKey != "" {
				return nil, errInvalidParam("encryptionConfiguration.kmsKey",
					"KMS key can only be specified when encryptionType is KMS or KMS_DSSE")
			}
		default:
			if enc.KmsKey == "" {
				// Assumption: ECR uses the AWS managed key aws/ecr; its ARN
				// has the key id form, as moto does.
				enc.KmsKey = fmt.Sprintf("arn:%s:kms:%s:%s:key/%s", partition(r.region), r.region, registryID, r.e.ids.uuid())
			} else if err := checkLength("encryptionConfiguration.kmsKey", enc.KmsKey, 1, 2048); err != nil {
				return nil, err
			}
		}
	}
	add, err := checkTags("tags", in.Tags)
	if err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, add)
	if err != nil {
		return nil, err
	}
	name := *in.RepositoryName
	if _, exists := reg.Repositories[name]; exists {
		return nil, apiErr("RepositoryAlreadyExistsException",
			"The repository with name '%s' already exists in the registry with id '%s'", name, registryID)
	}
	scan := &ImageScanningConfig{}
	if in.ImageScanningConfiguration != nil {
		scan = in.ImageScanningConfiguration
	}
	repo := &Repository{
		RepositoryMeta: RepositoryMeta{
			RepositoryArn:                      repositoryARN(r.region, registryID, name),
			RegistryID:                         registryID,
			RepositoryName:                     name,
			RepositoryURI:                      repositoryURI(r.region, registryID, name),
			CreatedAt:                          ts(r.e.now()),
			ImageTagMutability:                 mutability,
			ImageTagMutabilityExclusionFilters: in.ImageTagMutabilityExclusionFilters,
			ImageScanningConfiguration:         scan,
			EncryptionConfiguration:            enc,
		},
		Data: RepositoryData{
			Tags:     tags,
			Images:   map[string]*Image{},
			TagIndex: map[string]string{},
			Layers:   map[string]*Layer{},
			Uploads:  map[string]*Upload{},
		},
	}
	r.e.storeRepository(reg, name, repo)
	meta := repo.RepositoryMeta
	return repositoryOutput{Repository: &meta}, nil
}

type describeRepositoriesInput struct {
	RegistryID      *string  `json:"registryId"`
	RepositoryNames []string `json:"repositoryNames"`
	NextToken       *string  `json:"nextToken"`
	MaxResults      *int64   `json:"maxResults"`
}

type describeRepositoriesOutput struct {
	Repositories []*RepositoryMeta `json:"repositories"`
	NextToken    *string           `json:"nextToken,omitempty"`
}

func describeRepositories(r *request, reg *Registry) (any, error) {
	var in describeRepositoriesInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	registryID, err := checkRegistryID(r, in.RegistryID)
	if err != nil {
		return nil, err
	}
	out := describeRepositoriesOutput{Repositories: []*RepositoryMeta{}}
	if in.RepositoryNames != nil {
		if in.NextToken != nil || in.MaxResults != nil {
			return nil, errInvalidParam("repositoryNames",
				"Cannot specify both 'repositoryNames' and 'maxResults'/'nextToken'")
		}
		if err := checkListSize("repositoryNames", len(in.RepositoryNames), 1, 100); err != nil {
			return nil, err
		}
		for i := range in.RepositoryNames {
			if err := checkRepositoryName("repositoryNames.member", &in.RepositoryNames[i]); err != nil {
				return nil, err
			}
		}
		for _, n := range in.RepositoryNames {
			repo, ok := r.e.lookupRepository(reg, n)
			if !ok || repo.RegistryID != registryID {
				return nil, errRepositoryNotFound(n, registryID)
			}
			meta := repo.RepositoryMeta
			out.Repositories = append(out.Repositories, &meta)
		}
		return out, nil
	}
	// Keep what listRepositories returned: with a consistency lag it may
	// include a deleted repository that is still visible.
	visible := map[string]*Repository{}
	var names []string
	for _, repo := range r.e.listRepositories(reg) {
		if repo.RegistryID == registryID {
			visible[repo.RepositoryName] = repo
			names = append(names, repo.RepositoryName)
		}
	}
	page, next, err := paginate(r, names, in.NextToken, in.MaxResults, 100, 1000)
	if err != nil {
		return nil, err
	}
	for _, n := range page {
		meta := visible[n].RepositoryMeta
		out.Repositories = append(out.Repositories, &meta)
	}
	out.NextToken = strOrNil(next)
	return out, nil
}

type deleteRepositoryInput struct {
	RegistryID     *string `json:"registryId"`
	RepositoryName *string `json:"repositoryName"`
	Force          bool    `json:"force"`
}

func deleteRepository(r *request, reg *Registry) (any, error) {
	var in deleteRepositoryInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	if len(repo.Data.Images) > 0 && !in.Force {
		return nil, apiErr("RepositoryNotEmptyException",
			"The repository with name '%s' in registry with id '%s' cannot be deleted because it still contains images",
			repo.RepositoryName, repo.RegistryID)
	}
	r.e.storeRepository(reg, repo.RepositoryName, nil)
	meta := repo.RepositoryMeta
	return repositoryOutput{Repository: &meta}, nil
}

type putImageTagMutabilityInput struct {
	RegistryID                         *string           `json:"registryId"`
	RepositoryName                     *string           `json:"repositoryName"`
	ImageTagMutability                 *string           `json:"imageTagMutability"`
	ImageTagMutabilityExclusionFilters []ExclusionFilter `json:"imageTagMutabilityExclusionFilters"`
}

type putImageTagMutabilityOutput struct {
	RegistryID                         string            `json:"registryId"`
	RepositoryName                     string            `json:"repositoryName"`
	ImageTagMutability                 string            `json:"imageTagMutability"`
	ImageTagMutabilityExclusionFilters []ExclusionFilter `json:"imageTagMutabilityExclusionFilters,omitempty"`
}

func putImageTagMutability(r *request, reg *Registry) (any, error) {
	var in putImageTagMutabilityInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkRequired("imageTagMutability", in.ImageTagMutability != nil); err != nil {
		return nil, err
	}
	if err := checkMutability(*in.ImageTagMutability, in.ImageTagMutabilityExclusionFilters); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	// Replace, never modify in place: responses already built share these.
	repo.ImageTagMutability = *in.ImageTagMutability
	repo.ImageTagMutabilityExclusionFilters = nil
	if len(in.ImageTagMutabilityExclusionFilters) > 0 {
		repo.ImageTagMutabilityExclusionFilters = in.ImageTagMutabilityExclusionFilters
	}
	return putImageTagMutabilityOutput{
		RegistryID:                         repo.RegistryID,
		RepositoryName:                     repo.RepositoryName,
		ImageTagMutability:                 repo.ImageTagMutability,
		ImageTagMutabilityExclusionFilters: repo.ImageTagMutabilityExclusionFilters,
	}, nil
}

type putImageScanningConfigurationInput struct {
	RegistryID                 *string              `json:"registryId"`
	RepositoryName             *string              `json:"repositoryName"`
	ImageScanningConfiguration *ImageScanningConfig `json:"imageScanningConfiguration"`
}

type putImageScanningConfigurationOutput struct {
	RegistryID                 string               `json:"registryId"`
	RepositoryName             string               `json:"repositoryName"`
	ImageScanningConfiguration *ImageScanningConfig `json:"imageScanningConfiguration"`
}

func putImageScanningConfiguration(r *request, reg *Registry) (any, error) {
	var in putImageScanningConfigurationInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkRequired("imageScanningConfiguration", in.ImageScanningConfiguration != nil); err != nil {
		return nil, err
	}
	repo, err := findRepository(r, reg, in.RegistryID, in.RepositoryName)
	if err != nil {
		return nil, err
	}
	repo.ImageScanningConfiguration = in.ImageScanningConfiguration
	return putImageScanningConfigurationOutput{
		RegistryID:                 repo.RegistryID,
		RepositoryName:             repo.RepositoryName,
		ImageScanningConfiguration: repo.ImageScanningConfiguration,
	}, nil
}
