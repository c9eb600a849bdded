package ecr_test

// Resource identity, import and the state move from hashicorp/aws, for
// every resource type, at the protocol level: the provider server's
// tfprotov6 methods called in-process, as Terraform would. Terraform 1.11
// (the local CLI) has no identity, and moves need hashicorp/aws.

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

// testIdentityType is one resource type in the identity tests.
type testIdentityType struct {
	typeName, awsType string
	// key is the identity's key attribute, also in state; "" for a
	// singleton (one per registry), whose identity is account and Region
	// and whose "name" below is the account id.
	key string
	// needsEmulator: moto does not implement the type (or has no registry
	// protocol to push the images its tests need); the tests that
	// call the backend leave it out there.
	needsEmulator bool
	// neverGone: the registry always has the object (ECR's default when
	// nobody set one), so a Read never removes it.
	neverGone bool
	// create makes the object named name out of band.
	create func(ctx context.Context, client *awsecr.Client, name string) error
	// read checks the state a Read returns for an object create made.
	read func(t *testing.T, state map[string]string)
	// awsState is a hashicorp/aws v6 state (schema version 0) of the object
	// name in region, as raw JSON; nil (and awsType "") for a type
	// hashicorp/aws does not have.
	awsState func(name, region string) string
	// moved checks the state moved from awsState.
	moved func(t *testing.T, p *protoProvider, name string, attrs map[string]tftypes.Value)
	// badKeyError is the error of an import ID that is no key
	// ("Not_A_Repository"); empty for a repository name's.
	badKeyError string
	// fixedName is the name of every object of a type whose objects have
	// fixed names (an account setting); "" for types that take any name.
	fixedName string
	// identityAtRead: hashicorp/aws's state lacks the account, so the move
	// sets no identity and the first Read does.
	identityAtRead bool
	// keyOf, when set, turns a random name into a key of the type (a
	// composite key: ecr_image_tag's `<repository>:<tag>`); create gets
	// the key.
	keyOf func(name string) string
}

// skipOn reports whether the tests that call backend b leave the type out.
func (tc testIdentityType) skipOn(b *acctest.Backend) bool {
	return tc.needsEmulator && b.Emulator == nil
}

// singleton reports whether the type has one object per registry.
func (tc testIdentityType) singleton() bool { return tc.key == "" }

// stateKey is the state attribute that names the object: the key, or a
// singleton's `id` (its account id).
func (tc testIdentityType) stateKey() string {
	if tc.singleton() {
		return "id"
	}
	return tc.key
}

// objectName is a fresh name for an object of the type: a random one, or
// a singleton's account id.
func (tc testIdentityType) objectName(prefix, account string) string {
	if tc.fixedName != "" {
		return tc.fixedName
	}
	if tc.singleton() {
		return account
	}
	if tc.keyOf != nil {
		return tc.keyOf(acctest.RandomName(prefix))
	}
	return acctest.RandomName(prefix)
}

// identity is the identity of the object name in account and region.
func (tc testIdentityType) identity(name, account, region string) map[string]string {
	id := map[string]string{"account_id": account, "region": region}
	if !tc.singleton() {
		id[tc.key] = name
	}
	return id
}

// testIdentityCreateRepository creates a repository out of band.
func testIdentityCreateRepository(ctx context.Context, client *awsecr.Client, name string) error {
	_, err := client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String(name),
		ImageTagMutability: awstypes.ImageTagMutabilityImmutable})
	return err
}

// testIdentityPolicyAWSState is the state of a policy as hashicorp/aws v6 writes it.
func testIdentityPolicyAWSState(policy string) func(name, region string) string {
	return func(name, region string) string {
		return fmt.Sprintf(`{"id":%q,"policy":%q,"region":%q,"registry_id":%q,"repository":%q}`,
			name, policy, region, acctest.AccountID, name)
	}
}

func testIdentityPolicyMoved(policy string) func(*testing.T, *protoProvider, string, map[string]tftypes.Value) {
	return func(t *testing.T, _ *protoProvider, name string, attrs map[string]tftypes.Value) {
		t.Helper()
		for k, v := range map[string]string{"id": name, "repository": name, "registry_id": acctest.AccountID, "policy": policy} {
			if got := jsonOf(t, attrs[k]); got != fmt.Sprintf("%q", v) {
				t.Errorf("moved %s = %s, want %q", k, got, v)
			}
		}
		// hashicorp/aws has no timeouts for these types: the block is
		// absent (null), and the defaults apply.
		if timeouts, ok := attrs["timeouts"]; !ok || !timeouts.IsNull() {
			t.Errorf("moved timeouts = %v, want null", timeouts)
		}
	}
}

func testIdentityPolicyRead(t *testing.T, state map[string]string) {
	t.Helper()
	if state["registry_id"] != acctest.AccountID || state["policy"] == "" {
		t.Errorf("state after read = %v", state)
	}
}

// awsV6RegistryScanningConfigurationState is the state of
// aws_ecr_registry_scanning_configuration as hashicorp/aws v6 writes it.
const awsV6RegistryScanningConfigurationState = `{"id":%[1]q,"region":%[2]q,"registry_id":%[1]q,"scan_type":"ENHANCED",` +
	`"rule":[{"scan_frequency":"CONTINUOUS_SCAN","repository_filter":[{"filter":"prod-*","filter_type":"WILDCARD"}]}]}`

// awsV6ReplicationConfigurationState is the state of
// aws_ecr_replication_configuration as hashicorp/aws v6 writes it.
const awsV6ReplicationConfigurationState = `{"id":%[1]q,"region":%[2]q,"registry_id":%[1]q,"replication_configuration":[{"rule":[` +
	`{"destination":[{"region":"us-east-1","registry_id":%[1]q}],"repository_filter":[{"filter":"app","filter_type":"PREFIX_MATCH"}]}]}]}`

// testIdentityRegistryPolicy is a registry policy both scopes allow.
const testIdentityRegistryPolicy = `{"Statement":[{"Action":"ecr:ReplicateImage","Effect":"Allow",` +
	`"Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Resource":"*"}],"Version":"2012-10-17"}`

// awsV6RepositoryState is a state of aws_ecr_repository as hashicorp/aws v6
// writes it (schema version 0): blocks as lists, defaults spelled out.
const awsV6RepositoryState = `{
  "arn": "arn:aws:ecr:%[2]s:123456789012:repository/%[1]s",
  "encryption_configuration": [{"encryption_type": "AES256", "kms_key": ""}],
  "force_delete": true,
  "id": "%[1]s",
  "image_scanning_configuration": [{"scan_on_push": false}],
  "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",
  "image_tag_mutability_exclusion_filter": [{"filter": "latest", "filter_type": "WILDCARD"}],
  "name": "%[1]s",
  "region": "%[2]s",
  "registry_id": "123456789012",
  "repository_url": "123456789012.dkr.ecr.%[2]s.amazonaws.com/%[1]s",
  "tags": {"env": "test"},
  "tags_all": {"env": "test", "team": "platform"},
  "timeouts": {"delete": "30m"}
}`

var testIdentityTypes = []testIdentityType{
	{
		typeName: "ecr_repository", awsType: "aws_ecr_repository", key: "name",
		create: testIdentityCreateRepository,
		read: func(t *testing.T, state map[string]string) {
			if state["image_tag_mutability"] != "IMMUTABLE" || state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
		awsState: func(name, region string) string { return fmt.Sprintf(awsV6RepositoryState, name, region) },
		moved: func(t *testing.T, p *protoProvider, name string, attrs map[string]tftypes.Value) {
			typ := p.resourceType("ecr_repository")
			for attr, want := range map[string]tftypes.Value{
				"name":                 tftypes.NewValue(tftypes.String, name),
				"id":                   tftypes.NewValue(tftypes.String, name),
				"force_delete":         tftypes.NewValue(tftypes.Bool, true),
				"image_tag_mutability": tftypes.NewValue(tftypes.String, "IMMUTABLE_WITH_EXCLUSION"),
				// ECR's defaults, which hashicorp/aws always stores, are dropped:
				// a configuration without these blocks plans no change.
				"encryption_configuration":     tftypes.NewValue(typ.AttributeTypes["encryption_configuration"], []tftypes.Value{}),
				"image_scanning_configuration": tftypes.NewValue(typ.AttributeTypes["image_scanning_configuration"], []tftypes.Value{}),
			} {
				if !attrs[attr].Equal(want) {
					t.Errorf("%s = %s, want %s", attr, attrs[attr], want)
				}
			}
			for attr, want := range map[string]string{
				"image_tag_mutability_exclusion_filter": `[{"filter":"latest","filter_type":"WILDCARD"}]`,
				"tags":                                  `{"env":"test"}`,
				"tags_all":                              `{"env":"test","team":"platform"}`,
				"timeouts":                              `{"create":null,"delete":"30m","update":null}`,
			} {
				if got := jsonOf(t, attrs[attr]); got != want {
					t.Errorf("%s = %s, want %s", attr, got, want)
				}
			}
		},
	},
	{
		typeName: "ecr_repository_policy", awsType: "aws_ecr_repository_policy", key: "repository",
		create: func(ctx context.Context, client *awsecr.Client, name string) error {
			if err := testIdentityCreateRepository(ctx, client, name); err != nil {
				return err
			}
			_, err := client.SetRepositoryPolicy(ctx, &awsecr.SetRepositoryPolicyInput{RepositoryName: aws.String(name), PolicyText: aws.String(testPolicyCompact)})
			return err
		},
		read:     testIdentityPolicyRead,
		awsState: testIdentityPolicyAWSState(testPolicyCompact),
		moved:    testIdentityPolicyMoved(testPolicyCompact),
	},
	{
		typeName: "ecr_lifecycle_policy", awsType: "aws_ecr_lifecycle_policy", key: "repository",
		create: func(ctx context.Context, client *awsecr.Client, name string) error {
			if err := testIdentityCreateRepository(ctx, client, name); err != nil {
				return err
			}
			_, err := client.PutLifecyclePolicy(ctx, &awsecr.PutLifecyclePolicyInput{RepositoryName: aws.String(name), LifecyclePolicyText: aws.String(testLifecycleTwoRules)})
			return err
		},
		read:     testIdentityPolicyRead,
		awsState: testIdentityPolicyAWSState(testLifecycleTwoRules),
		moved:    testIdentityPolicyMoved(testLifecycleTwoRules),
	},
	{
		typeName: "ecr_registry_policy", awsType: "aws_ecr_registry_policy", key: "",
		create: func(ctx context.Context, client *awsecr.Client, _ string) error {
			_, err := client.PutRegistryPolicy(ctx, &awsecr.PutRegistryPolicyInput{PolicyText: aws.String(testIdentityRegistryPolicy)})
			return err
		},
		read: testIdentityPolicyRead,
		awsState: func(name, region string) string {
			return fmt.Sprintf(`{"id":%q,"policy":%q,"region":%q,"registry_id":%q}`, name, testIdentityRegistryPolicy, region, name)
		},
		moved: func(t *testing.T, _ *protoProvider, name string, attrs map[string]tftypes.Value) {
			t.Helper()
			for k, v := range map[string]string{"id": name, "registry_id": name, "policy": testIdentityRegistryPolicy} {
				if got := jsonOf(t, attrs[k]); got != fmt.Sprintf("%q", v) {
					t.Errorf("moved %s = %s, want %q", k, got, v)
				}
			}
			if timeouts, ok := attrs["timeouts"]; !ok || !timeouts.IsNull() {
				t.Errorf("moved timeouts = %v, want null", timeouts)
			}
		},
	},
	{
		typeName: "ecr_replication_configuration", awsType: "aws_ecr_replication_configuration", key: "",
		create: func(ctx context.Context, client *awsecr.Client, _ string) error {
			_, err := client.PutReplicationConfiguration(ctx, &awsecr.PutReplicationConfigurationInput{
				ReplicationConfiguration: &awstypes.ReplicationConfiguration{Rules: []awstypes.ReplicationRule{{
					Destinations: []awstypes.ReplicationDestination{{Region: aws.String("ap-southeast-2"), RegistryId: aws.String(acctest.AccountID)}},
				}}}})
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
		awsState: func(name, region string) string {
			return fmt.Sprintf(awsV6ReplicationConfigurationState, name, region)
		},
		moved: func(t *testing.T, _ *protoProvider, name string, attrs map[string]tftypes.Value) {
			t.Helper()
			for k, want := range map[string]string{
				"id": fmt.Sprintf("%q", name), "registry_id": fmt.Sprintf("%q", name),
				"replication_configuration": fmt.Sprintf(`[{"rule":[{"delete_replication":[],"destination":[{"region":"us-east-1","registry_id":%q}],`+
					`"repository_filter":[{"filter":"app","filter_type":"PREFIX_MATCH"}]}]}]`, name),
				"timeouts": "null",
			} {
				if got := jsonOf(t, attrs[k]); got != want {
					t.Errorf("moved %s = %s, want %s", k, got, want)
				}
			}
		},
	},
	{
		// The key is the rule as canonical JSON; the random name is its
		// repository filter.
		typeName: "ecr_replication_rule", key: "id", needsEmulator: true,
		keyOf: func(random string) string {
			return `{"destinations":[{"region":"us-east-1","registryId":"` + acctest.AccountID + `"}],"repositoryFilters":["` + random + `"]}`
		},
		create: func(ctx context.Context, client *awsecr.Client, name string) error {
			rule, err := ecr.ParseReplicationRule(name)
			if err != nil {
				return err
			}
			_, err = client.PutReplicationConfiguration(ctx, &awsecr.PutReplicationConfigurationInput{
				ReplicationConfiguration: &awstypes.ReplicationConfiguration{Rules: []awstypes.ReplicationRule{rule}}})
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
		badKeyError: "is not a replication rule as JSON",
	},
	{
		typeName: "ecr_signing_configuration", key: "",
		needsEmulator: true,
		create: func(ctx context.Context, client *awsecr.Client, _ string) error {
			_, err := client.PutSigningConfiguration(ctx, &awsecr.PutSigningConfigurationInput{
				SigningConfiguration: &awstypes.SigningConfiguration{Rules: []awstypes.SigningRule{{
					SigningProfileArn: aws.String("arn:aws:signer:us-west-2:" + acctest.AccountID + ":/signing-profiles/identity_test"),
				}}}})
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
	},
	{
		typeName: "ecr_registry_scanning_configuration", awsType: "aws_ecr_registry_scanning_configuration", key: "",
		neverGone: true,
		create: func(ctx context.Context, client *awsecr.Client, _ string) error {
			_, err := client.PutRegistryScanningConfiguration(ctx, &awsecr.PutRegistryScanningConfigurationInput{
				ScanType: awstypes.ScanTypeEnhanced, Rules: []awstypes.RegistryScanningRule{}}) // moto needs the rules member
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["scan_type"] != "ENHANCED" || state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
		awsState: func(name, region string) string {
			return fmt.Sprintf(awsV6RegistryScanningConfigurationState, name, region)
		},
		moved: func(t *testing.T, _ *protoProvider, name string, attrs map[string]tftypes.Value) {
			t.Helper()
			for k, want := range map[string]string{
				"id": fmt.Sprintf("%q", name), "registry_id": fmt.Sprintf("%q", name), "scan_type": `"ENHANCED"`,
				"rule":     `[{"repository_filter":[{"filter":"prod-*","filter_type":"WILDCARD"}],"scan_frequency":"CONTINUOUS_SCAN"}]`,
				"timeouts": "null",
			} {
				if got := jsonOf(t, attrs[k]); got != want {
					t.Errorf("moved %s = %s, want %s", k, got, want)
				}
			}
		},
	},
	{
		typeName: "ecr_pull_through_cache_rule", awsType: "aws_ecr_pull_through_cache_rule", key: "ecr_repository_prefix", needsEmulator: true,
		create: func(ctx context.Context, client *awsecr.Client, name string) error {
			_, err := client.CreatePullThroughCacheRule(ctx, &awsecr.CreatePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String(name),
				UpstreamRegistryUrl: aws.String("registry-1.docker.io"), CredentialArn: aws.String(testPTCCredential1)})
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["upstream_registry"] != "docker-hub" || state["credential_arn"] != testPTCCredential1 ||
				state["upstream_repository_prefix"] != "ROOT" || state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
		awsState: func(name, region string) string {
			return fmt.Sprintf(`{"credential_arn":%q,"custom_role_arn":"","ecr_repository_prefix":%q,"id":%q,"region":%q,`+
				`"registry_id":%q,"upstream_registry_url":"registry-1.docker.io","upstream_repository_prefix":""}`,
				testPTCCredential1, name, name, region, acctest.AccountID)
		},
		moved: func(t *testing.T, _ *protoProvider, name string, attrs map[string]tftypes.Value) {
			t.Helper()
			for attr, want := range map[string]string{
				"ecr_repository_prefix": fmt.Sprintf("%q", name), "id": fmt.Sprintf("%q", name),
				"credential_arn": fmt.Sprintf("%q", testPTCCredential1), "custom_role_arn": "null",
				// Derived from the URL (hashicorp/aws does not store it); ECR's default prefix.
				"upstream_registry": `"docker-hub"`, "upstream_repository_prefix": `"ROOT"`,
				"registry_id": fmt.Sprintf("%q", acctest.AccountID), "timeouts": "null",
			} {
				if got := jsonOf(t, attrs[attr]); got != want {
					t.Errorf("moved %s = %s, want %s", attr, got, want)
				}
			}
		},
		badKeyError: "is not a pull through cache rule prefix",
	},
	{
		typeName: "ecr_repository_creation_template", awsType: "aws_ecr_repository_creation_template", key: "prefix", needsEmulator: true,
		create: func(ctx context.Context, client *awsecr.Client, name string) error {
			_, err := client.CreateRepositoryCreationTemplate(ctx, &awsecr.CreateRepositoryCreationTemplateInput{Prefix: aws.String(name),
				AppliedFor: []awstypes.RCTAppliedFor{awstypes.RCTAppliedForReplication}, LifecyclePolicy: aws.String(testLifecycleTwoRules),
				ImageTagMutability: awstypes.ImageTagMutabilityImmutable})
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["image_tag_mutability"] != "IMMUTABLE" || state["lifecycle_policy"] == "" || state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
		awsState: func(name, region string) string {
			return fmt.Sprintf(`{"applied_for":["REPLICATION"],"custom_role_arn":"","description":"d",`+
				`"encryption_configuration":[{"encryption_type":"AES256","kms_key":""}],"id":%q,"image_tag_mutability":"MUTABLE",`+
				`"image_tag_mutability_exclusion_filter":[],"lifecycle_policy":%q,"prefix":%q,"region":%q,"registry_id":%q,`+
				`"repository_policy":"","resource_tags":{"team":"a"}}`, name, testLifecycleTwoRules, name, region, acctest.AccountID)
		},
		moved: func(t *testing.T, _ *protoProvider, name string, attrs map[string]tftypes.Value) {
			t.Helper()
			for attr, want := range map[string]string{
				"prefix": fmt.Sprintf("%q", name), "id": fmt.Sprintf("%q", name),
				"description": `"d"`, "custom_role_arn": "null", "repository_policy": "null",
				// hashicorp/aws always stores the default encryption: dropped, as for a template created here.
				"encryption_configuration": "[]", "image_tag_mutability": `"MUTABLE"`,
				"resource_tags": `{"team":"a"}`, "registry_id": fmt.Sprintf("%q", acctest.AccountID), "timeouts": "null",
			} {
				if got := jsonOf(t, attrs[attr]); got != want {
					t.Errorf("moved %s = %s, want %s", attr, got, want)
				}
			}
			if attrs["lifecycle_policy"].IsNull() {
				t.Error("moved lifecycle_policy is null")
			}
			applied := tftypes.NewValue(tftypes.Set{ElementType: tftypes.String}, []tftypes.Value{tftypes.NewValue(tftypes.String, "REPLICATION")})
			if !attrs["applied_for"].Equal(applied) {
				t.Errorf("moved applied_for = %s", attrs["applied_for"])
			}
		},
		badKeyError: "is not a repository creation template prefix",
	},
	{
		typeName: "ecr_account_setting", awsType: "aws_ecr_account_setting", key: "name", needsEmulator: true,
		fixedName: "BLOB_MOUNTING", neverGone: true, badKeyError: "is not an ECR account setting", identityAtRead: true,
		create: func(ctx context.Context, client *awsecr.Client, name string) error {
			_, err := client.PutAccountSetting(ctx, &awsecr.PutAccountSettingInput{Name: aws.String(name), Value: aws.String("ENABLED")})
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["value"] != "ENABLED" {
				t.Errorf("state after read = %v", state)
			}
		},
		awsState: func(name, region string) string {
			return fmt.Sprintf(`{"id":%q,"name":%q,"region":%q,"value":"ENABLED"}`, name, name, region)
		},
		moved: func(t *testing.T, _ *protoProvider, name string, attrs map[string]tftypes.Value) {
			t.Helper()
			for attr, want := range map[string]string{
				"id": fmt.Sprintf("%q", name), "name": fmt.Sprintf("%q", name), "value": `"ENABLED"`, "timeouts": "null",
			} {
				if got := jsonOf(t, attrs[attr]); got != want {
					t.Errorf("moved %s = %s, want %s", attr, got, want)
				}
			}
		},
	},
	{
		typeName: "ecr_pull_time_update_exclusion", awsType: "aws_ecr_pull_time_update_exclusion", key: "principal_arn", needsEmulator: true,
		fixedName: testExclusionPrincipal, identityAtRead: true, badKeyError: "is not the ARN of an IAM user or role",
		create: func(ctx context.Context, client *awsecr.Client, name string) error {
			_, err := client.RegisterPullTimeUpdateExclusion(ctx, &awsecr.RegisterPullTimeUpdateExclusionInput{PrincipalArn: aws.String(name)})
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["principal_arn"] != testExclusionPrincipal {
				t.Errorf("state after read = %v", state)
			}
		},
		awsState: func(name, region string) string {
			return fmt.Sprintf(`{"id":%q,"region":%q,"principal_arn":%q}`, name, region, name)
		},
		moved: func(t *testing.T, _ *protoProvider, name string, attrs map[string]tftypes.Value) {
			t.Helper()
			for attr, want := range map[string]string{"id": fmt.Sprintf("%q", name), "principal_arn": fmt.Sprintf("%q", name), "timeouts": "null"} {
				if got := jsonOf(t, attrs[attr]); got != want {
					t.Errorf("moved %s = %s, want %s", attr, got, want)
				}
			}
		},
	},
	{
		// No hashicorp/aws type to move from; the key is `<repository>:<tag>`.
		typeName: "ecr_image_tag", key: "id", needsEmulator: true,
		keyOf: func(name string) string { return name + ":prod" },
		create: func(ctx context.Context, client *awsecr.Client, key string) error {
			repository, tag, _ := strings.Cut(key, ":")
			if _, err := client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String(repository)}); err != nil {
				return err
			}
			_, err := (&acctest.Backend{Client: client}).PushImage(repository, tag)
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["tag"] != "prod" || state["image_digest"] == "" || state["source_digest"] != state["image_digest"] ||
				state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
	},
	{
		// No hashicorp/aws type to move from; the key is `<repository>:<digest>`.
		typeName: "ecr_image_storage_class", key: "id", needsEmulator: true,
		keyOf: func(name string) string { return name + ":" + acctest.ImageDigest("v1") },
		create: func(ctx context.Context, client *awsecr.Client, key string) error {
			repository, digest, _ := strings.Cut(key, ":")
			if _, err := client.CreateRepository(ctx, &awsecr.CreateRepositoryInput{RepositoryName: aws.String(repository)}); err != nil {
				return err
			}
			if _, err := (&acctest.Backend{Client: client}).PushImage(repository, "v1"); err != nil {
				return err
			}
			_, err := client.UpdateImageStorageClass(ctx, &awsecr.UpdateImageStorageClassInput{RepositoryName: aws.String(repository),
				ImageId: &awstypes.ImageIdentifier{ImageDigest: aws.String(digest)}, TargetStorageClass: awstypes.TargetStorageClassArchive})
			return err
		},
		read: func(t *testing.T, state map[string]string) {
			if state["storage_class"] != "ARCHIVE" || state["image_status"] != "ARCHIVED" || state["registry_id"] != acctest.AccountID {
				t.Errorf("state after read = %v", state)
			}
		},
	},
}

// Every resource type has an identity: its key (required for import),
// account_id and region (optional).
func TestResourceIdentity_schema(t *testing.T) {
	t.Parallel()
	p := newProtoProvider(t, nil)
	if got, want := len(p.ids.IdentitySchemas), len(testIdentityTypes); got != want {
		t.Errorf("%d resource types have an identity, the table has %d", got, want)
	}
	for _, tc := range testIdentityTypes {
		s, ok := p.ids.IdentitySchemas[tc.typeName]
		if !ok {
			t.Fatalf("%s has no identity schema", tc.typeName)
		}
		got := map[string]string{}
		for _, a := range s.IdentityAttributes {
			switch {
			case a.RequiredForImport:
				got[a.Name] = "required"
			case a.OptionalForImport:
				got[a.Name] = "optional"
			}
		}
		want := map[string]string{"account_id": "optional", "region": "optional"}
		if !tc.singleton() {
			want[tc.key] = "required"
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s identity attributes %v, want %v", tc.typeName, got, want)
		}
	}
}

// importAndRead imports with req, then reads what was imported: the state
// and identity after the Read.
func (p *protoProvider) importAndRead(t *testing.T, req *tfprotov6.ImportResourceStateRequest) *tfprotov6.ReadResourceResponse {
	t.Helper()
	ctx := context.Background()
	imp, err := p.srv.ImportResourceState(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiags(t, imp.Diagnostics)
	if len(imp.ImportedResources) != 1 {
		t.Fatalf("imported %d resources, want 1", len(imp.ImportedResources))
	}
	ir := imp.ImportedResources[0]
	read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
		TypeName: req.TypeName, CurrentState: ir.State, CurrentIdentity: ir.Identity, Private: ir.Private})
	if err != nil {
		t.Fatal(err)
	}
	requireNoDiags(t, read.Diagnostics)
	if read.NewIdentity == nil {
		t.Fatal("read returned no identity")
	}
	return read
}

// Import by identity and by import ID (`key` and `key@region`), in the
// provider's Region and in another: the Read after it finds the object in
// its Region, and the identity names account and Region. A refresh with
// the stored identity keeps it (an identity change is an error).
func TestResourceIdentity_import(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	for _, tc := range testIdentityTypes {
		if tc.skipOn(b) {
			continue
		}
		for _, region := range []string{b.Region, acctest.OtherRegion} {
			t.Run(tc.typeName+"/"+region, func(t *testing.T) {
				name := tc.objectName("tf-proto-identity", b.AccountID)
				if err := tc.create(ctx, testAccClient(b, region), name); err != nil {
					t.Fatal(err)
				}
				importID := name + "@" + region
				idRegion := region
				if region == b.Region {
					importID, idRegion = name, "" // the provider's Region by default
				}
				for how, req := range map[string]*tfprotov6.ImportResourceStateRequest{
					"identity":  {TypeName: tc.typeName, Identity: p.identityData(t, tc.typeName, tc.key, name, b.AccountID, idRegion)},
					"import ID": {TypeName: tc.typeName, ID: importID},
				} {
					read := p.importAndRead(t, req)
					state := decodeStrings(t, p.resourceType(tc.typeName), read.NewState)
					if state[tc.stateKey()] != name || state["id"] != name || state["region"] != region {
						t.Errorf("by %s: state %s/id/region = %q/%q/%q, want %q/%q/%q", how, tc.stateKey(),
							state[tc.stateKey()], state["id"], state["region"], name, name, region)
					}
					tc.read(t, state)
					wantID := tc.identity(name, b.AccountID, region)
					if id := decodeStrings(t, p.identityType(tc.typeName), read.NewIdentity.IdentityData); fmt.Sprint(id) != fmt.Sprint(wantID) {
						t.Errorf("by %s: identity = %v, want %v", how, id, wantID)
					}
					again, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
						TypeName: tc.typeName, CurrentState: read.NewState, CurrentIdentity: read.NewIdentity,
					})
					if err != nil {
						t.Fatal(err)
					}
					requireNoDiags(t, again.Diagnostics)
				}
			})
		}
	}
}

// An identity of another account is refused: the provider's credentials
// cannot reach it. So are import IDs that name no object.
func TestResourceIdentity_importRefused(t *testing.T) {
	t.Parallel()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	for _, tc := range testIdentityTypes {
		badKey := "is not a repository name"
		if tc.singleton() {
			badKey = "is not an account id"
		}
		if tc.badKeyError != "" {
			badKey = tc.badKeyError
		}
		for _, c := range []struct {
			req  *tfprotov6.ImportResourceStateRequest
			want string
		}{
			{&tfprotov6.ImportResourceStateRequest{TypeName: tc.typeName,
				Identity: p.identityData(t, tc.typeName, tc.key, "some-repo", "111122223333", "")},
				`account "111122223333" is not the provider's account`},
			{&tfprotov6.ImportResourceStateRequest{TypeName: tc.typeName,
				Identity: p.identityData(t, tc.typeName, tc.key, "some-repo", "111122223333", acctest.OtherRegion)},
				"Resource identity in another account"},
			{&tfprotov6.ImportResourceStateRequest{TypeName: tc.typeName, ID: "Not_A_Repository"}, badKey},
			{&tfprotov6.ImportResourceStateRequest{TypeName: tc.typeName, ID: tc.objectName("some-repo", b.AccountID) + "@nowhere"},
				`"nowhere" is not an AWS Region`},
		} {
			resp, err := p.srv.ImportResourceState(context.Background(), c.req)
			if err != nil {
				t.Fatal(err)
			}
			requireError(t, resp.Diagnostics, c.want)
		}
	}
}

// A Read that finds the object gone removes it, and still returns an
// identity when Terraform kept none (Terraform before 1.12): the framework
// requires one. (A singleton the registry always has reads as ECR's default.)
func TestResourceIdentity_readGone(t *testing.T) {
	t.Parallel()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	for _, tc := range testIdentityTypes {
		if tc.skipOn(b) {
			continue
		}
		typ := p.resourceType(tc.typeName)
		attrs := map[string]tftypes.Value{}
		for name, at := range typ.AttributeTypes {
			attrs[name] = tftypes.NewValue(at, nil)
		}
		name := cmp.Or(tc.fixedName, "gone-repo")
		if tc.singleton() {
			// A Region no other test uses: moto's registries are shared.
			name = b.AccountID
			attrs["region"] = tftypes.NewValue(tftypes.String, "ca-central-1")
		}
		if tc.keyOf != nil {
			name = tc.keyOf(name)
		}
		attrs[tc.stateKey()] = tftypes.NewValue(tftypes.String, name)
		attrs["id"] = tftypes.NewValue(tftypes.String, name)
		state := mustDynamicValue(t, typ, tftypes.NewValue(typ, attrs))
		read, err := p.srv.ReadResource(context.Background(), &tfprotov6.ReadResourceRequest{TypeName: tc.typeName, CurrentState: &state})
		if err != nil {
			t.Fatal(err)
		}
		requireNoDiags(t, read.Diagnostics)
		if v, err := read.NewState.Unmarshal(typ); err != nil || v.IsNull() != !tc.neverGone {
			t.Errorf("%s: state after reading a gone object = %v, %v; want null unless the registry always has one", tc.typeName, v, err)
		}
		if id := decodeStrings(t, p.identityType(tc.typeName), read.NewIdentity.IdentityData); (tc.singleton() && id["account_id"] != name) ||
			(!tc.singleton() && id[tc.key] != name) {
			t.Errorf("%s: identity of a gone object = %v", tc.typeName, id)
		}
	}
}

// State moved from hashicorp/aws v6 (a `moved` block across providers)
// keeps its Region: the first Read looks there.
func TestResourceMoveState_fromAWS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := acctest.NewBackend(t)
	p := newProtoProvider(t, b)
	move := func(t *testing.T, sourceType, targetType, raw string) *tfprotov6.MoveResourceStateResponse {
		t.Helper()
		resp, err := p.srv.MoveResourceState(ctx, &tfprotov6.MoveResourceStateRequest{
			SourceProviderAddress: "registry.terraform.io/hashicorp/aws",
			SourceTypeName:        sourceType,
			SourceSchemaVersion:   0,
			SourceState:           &tfprotov6.RawState{JSON: []byte(raw)},
			TargetTypeName:        targetType,
		})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, tc := range testIdentityTypes {
		if tc.awsState == nil || tc.skipOn(b) {
			continue // nothing to move from, or not on this backend
		}
		t.Run(tc.typeName, func(t *testing.T) {
			for _, region := range []string{b.Region, acctest.OtherRegion} {
				name := tc.objectName("moved", acctest.AccountID)
				resp := move(t, tc.awsType, tc.typeName, tc.awsState(name, region))
				requireNoDiags(t, resp.Diagnostics)
				attrs := attributes(t, p.resourceType(tc.typeName), resp.TargetState)
				tc.moved(t, p, name, attrs)
				if got := jsonOf(t, attrs["region"]); got != fmt.Sprintf("%q", region) {
					t.Errorf("moved region = %s, want %q", got, region)
				}
				if resp.TargetIdentity == nil {
					t.Fatal("no identity after the move")
				}
				wantID := tc.identity(name, acctest.AccountID, region)
				if id := decodeStrings(t, p.identityType(tc.typeName), resp.TargetIdentity.IdentityData); tc.identityAtRead && len(id) != 0 {
					t.Errorf("moved identity = %v, want none (the first Read sets it)", id)
				} else if !tc.identityAtRead && fmt.Sprint(id) != fmt.Sprint(wantID) {
					t.Errorf("moved identity = %v, want %v", id, wantID)
				}

				// The first refresh reads the object in the moved Region.
				if err := tc.create(ctx, testAccClient(b, region), name); err != nil {
					t.Fatal(err)
				}
				read, err := p.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{
					TypeName: tc.typeName, CurrentState: resp.TargetState, CurrentIdentity: resp.TargetIdentity,
				})
				if err != nil {
					t.Fatal(err)
				}
				requireNoDiags(t, read.Diagnostics)
				if s := decodeStrings(t, p.resourceType(tc.typeName), read.NewState); s[tc.stateKey()] != name || s["region"] != region {
					t.Errorf("read after the move in %s: state %v", region, s)
				}
				if id := decodeStrings(t, p.identityType(tc.typeName), read.NewIdentity.IdentityData); fmt.Sprint(id) != fmt.Sprint(wantID) {
					t.Errorf("identity after the first read after the move = %v, want %v", id, wantID)
				}
			}

			// hashicorp/aws v5 has no region: the provider's applies, and
			// the first Read sets the identity.
			v5 := strings.Replace(tc.awsState(tc.objectName("v5-repo", b.AccountID), b.Region), `"region": "`+b.Region+`",`, "", 1)
			v5 = strings.Replace(v5, `"region":"`+b.Region+`",`, "", 1)
			resp := move(t, tc.awsType, tc.typeName, v5)
			requireNoDiags(t, resp.Diagnostics)
			if r := attributes(t, p.resourceType(tc.typeName), resp.TargetState)["region"]; !r.IsNull() {
				t.Errorf("region moved from a v5 state = %s, want null", r)
			}

			// Another source type is not moved.
			requireError(t, move(t, "aws_s3_bucket", tc.typeName, tc.awsState("other", b.Region)).Diagnostics, "")
			// A state hashicorp/aws could not have written is refused with one wording.
			requireError(t, move(t, tc.awsType, tc.typeName, `{"id": ["x"], "repository": ["x"], "name": ["x"]}`).Diagnostics, "Unable to move "+tc.awsType)
		})
	}
}
