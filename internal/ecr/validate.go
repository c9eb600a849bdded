package ecr

import (
	"context"
	"fmt"
	"regexp"

	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// repositoryNamePattern is ECR's RepositoryName pattern (full match).
var repositoryNamePattern = regexp.MustCompile(`^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*$`)

// repositoryNameValidators check an argument that names a repository
// (ecr_repository's `name`, the policies' `repository`) as ECR does.
func repositoryNameValidators() []validator.String {
	return []validator.String{
		stringvalidator.LengthBetween(2, 256),
		stringvalidator.RegexMatches(repositoryNamePattern,
			"must be a repository name, which must be lowercase letters and digits in groups separated by `.`, `_`, `__` "+
				"or runs of `-`, with `/` between path parts"),
	}
}

// validRepositoryName checks a repository name given where no validator
// runs (an import ID).
func validRepositoryName(name string) error {
	if len(name) < 2 || len(name) > 256 || !repositoryNamePattern.MatchString(name) {
		return fmt.Errorf("%q is not a repository name; import by the name of the repository, `name` or `name@region`", name)
	}
	return nil
}

// registryIDPattern is an AWS account id: 12 digits.
var registryIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// registryIDValidators check an argument that names a registry (an AWS
// account id).
func registryIDValidators() []validator.String {
	return []validator.String{stringvalidator.RegexMatches(registryIDPattern, "must be a registry id, the 12-digit AWS account id")}
}

// kmsKeyNeedsKMS refuses an encryption configuration block that sets
// kms_key with encryption_type AES256 (the default): ECR rejects it, and
// only KMS and KMS_DSSE use a key.
type kmsKeyNeedsKMS struct{}

func (kmsKeyNeedsKMS) Description(context.Context) string {
	return "kms_key only with encryption_type KMS or KMS_DSSE"
}

func (v kmsKeyNeedsKMS) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (kmsKeyNeedsKMS) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	typ, _ := attrs["encryption_type"].(types.String)
	key, _ := attrs["kms_key"].(types.String)
	if typ.IsUnknown() || key.IsNull() || key.IsUnknown() {
		return
	}
	t := typ.ValueString()
	if typ.IsNull() {
		t = string(awstypes.EncryptionTypeAes256)
	}
	if t == string(awstypes.EncryptionTypeAes256) {
		resp.Diagnostics.AddAttributeError(req.Path.AtName("kms_key"), "kms_key needs KMS encryption",
			fmt.Sprintf("kms_key is set but encryption_type is %q: only KMS and KMS_DSSE use a KMS key. "+
				"Set encryption_type = \"KMS\" (or \"KMS_DSSE\"), or remove kms_key.", t))
	}
}

var _ validator.Object = kmsKeyNeedsKMS{}
