package ecr

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

// NewLifecyclePolicyResource returns the ecr_lifecycle_policy resource.
func NewLifecyclePolicyResource() resource.Resource {
	return newRepositoryScopedPolicyResource(lifecyclePolicy)
}

// lifecyclePolicy is the lifecycle policy of a repository.
var lifecyclePolicy = repositoryScopedPolicy[lifecyclePolicyDocument]{
	typeName: "_lifecycle_policy",
	awsType:  "aws_ecr_lifecycle_policy",
	what:     "ECR Lifecycle Policy",
	description: "Manages the lifecycle policy of an ECR repository: rules that expire images or move them " +
		"to the archive storage class. A change of the policy is applied in place (PutLifecyclePolicy), " +
		"so the repository is never without a policy.",
	policyDescription: "The lifecycle policy as JSON, for example from `jsonencode` or the " +
		"`ecr_lifecycle_policy_document` data source. It is validated at plan time as ECR does, and an error " +
		"names the rule (`rule 2 (priority 20): ...`). Rule order, the order of tag lists, empty lists and the " +
		"spelling of numbers are not changes; any other difference, including in properties the provider does " +
		"not know, is.",
	put: func(ctx context.Context, client *ecr.Client, repository, text string) (*string, error) {
		out, err := client.PutLifecyclePolicy(ctx, &ecr.PutLifecyclePolicyInput{
			RepositoryName:      aws.String(repository),
			LifecyclePolicyText: aws.String(text),
		})
		if err != nil {
			return nil, err
		}
		return out.RegistryId, nil
	},
	find: func(ctx context.Context, client *ecr.Client, repository string) (repositoryScopedPolicyOutput, error) {
		out, err := findLifecyclePolicyByName(ctx, client, repository)
		if err != nil {
			return repositoryScopedPolicyOutput{}, err
		}
		return repositoryScopedPolicyOutput{out.RepositoryName, out.RegistryId, out.LifecyclePolicyText}, nil
	},
	delete: func(ctx context.Context, client *ecr.Client, repository string) error {
		_, err := client.DeleteLifecyclePolicy(ctx, &ecr.DeleteLifecyclePolicyInput{RepositoryName: aws.String(repository)})
		return err
	},
	isPolicyNotFound: isLifecyclePolicyNotFound,
}

// findLifecyclePolicyByName returns the lifecycle policy of a repository of
// the caller's registry, or a notFoundError when the repository or its
// policy does not exist.
func findLifecyclePolicyByName(ctx context.Context, client *ecr.Client, name string) (*ecr.GetLifecyclePolicyOutput, error) {
	out, err := client.GetLifecyclePolicy(ctx, &ecr.GetLifecyclePolicyInput{RepositoryName: aws.String(name)})
	return findRepositoryScopedPolicy(fmt.Sprintf("ECR Lifecycle Policy (%s)", name), out, err, isLifecyclePolicyNotFound,
		func(o *ecr.GetLifecyclePolicyOutput) *string { return o.LifecyclePolicyText })
}
