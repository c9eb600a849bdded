package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// repositoryPolicyMaxLength is the longest policyText SetRepositoryPolicy accepts.
const repositoryPolicyMaxLength = 10240

// NewRepositoryPolicyResource returns the ecr_repository_policy resource.
func NewRepositoryPolicyResource() resource.Resource {
	return newRepositoryScopedPolicyResource(repositoryPolicy)
}

// repositoryPolicy is the repository policy (resource-based IAM policy) of
// a repository.
var repositoryPolicy = repositoryScopedPolicy[iamPolicyDocument]{
	typeName: "_repository_policy",
	awsType:  "aws_ecr_repository_policy",
	what:     "ECR Repository Policy",
	description: "Manages the repository policy (resource-based IAM policy) of an ECR repository. " +
		"A repository has at most one policy; this resource owns it whole.",
	policyDescription: "The policy document as JSON, for example from `jsonencode` or the `aws_iam_policy_document` data source. " +
		"It is checked at plan time. ECR stores the policy reformatted; a policy that grants the same is not a change.",
	policyValidators: []validator.String{stringvalidator.LengthAtMost(repositoryPolicyMaxLength)},
	put: func(ctx context.Context, client *ecr.Client, repository, text string) (*string, error) {
		out, err := client.SetRepositoryPolicy(ctx, &ecr.SetRepositoryPolicyInput{
			RepositoryName: aws.String(repository),
			PolicyText:     aws.String(text),
		})
		if err != nil {
			return nil, err
		}
		return out.RegistryId, nil
	},
	retryPut:       isIAMPropagationError,
	retryPutReason: "IAM to propagate a principal the policy names",
	find: func(ctx context.Context, client *ecr.Client, repository string) (repositoryScopedPolicyOutput, error) {
		out, err := findRepositoryPolicyByName(ctx, client, repository)
		if err != nil {
			return repositoryScopedPolicyOutput{}, err
		}
		return repositoryScopedPolicyOutput{out.RepositoryName, out.RegistryId, out.PolicyText}, nil
	},
	delete: func(ctx context.Context, client *ecr.Client, repository string) error {
		_, err := client.DeleteRepositoryPolicy(ctx, &ecr.DeleteRepositoryPolicyInput{RepositoryName: aws.String(repository)})
		return err
	},
	isPolicyNotFound: isRepositoryPolicyNotFound,
}

// findRepositoryPolicyByName returns the policy of a repository of the
// caller's registry, or a notFoundError when the repository or its policy
// does not exist.
func findRepositoryPolicyByName(ctx context.Context, client *ecr.Client, name string) (*ecr.GetRepositoryPolicyOutput, error) {
	out, err := client.GetRepositoryPolicy(ctx, &ecr.GetRepositoryPolicyInput{RepositoryName: aws.String(name)})
	return findRepositoryScopedPolicy(fmt.Sprintf("ECR Repository Policy (%s)", name), out, err, isRepositoryPolicyNotFound,
		func(o *ecr.GetRepositoryPolicyOutput) *string { return o.PolicyText })
}
