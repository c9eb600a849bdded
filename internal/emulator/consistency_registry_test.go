package emulator_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
)

// registryLagKind drives one registry-level lagging kind through the SDK.
// Reads name what they see: "1" or "2" for the values write stored,
// initial for what the registry had before (a default value, or the error
// code of a read that finds nothing).
type registryLagKind struct {
	kind    string
	initial string
	// write stores value 1 (a creation or a put) or value 2 (a change);
	// change is false when the kind cannot be changed, only created and
	// deleted.
	write  func(c *ecr.Client, v int) error
	change bool
	// del removes the object; nil when the kind has no delete.
	del  func(c *ecr.Client) error
	read func(c *ecr.Client) string
}

func registryLagKinds() []registryLagKind {
	ctx := context.Background()
	label := func(ok bool, one bool) string {
		switch {
		case !ok:
			return "?"
		case one:
			return "1"
		}
		return "2"
	}
	signingProfile := func(v int) string {
		return "arn:aws:signer:us-west-2:123456789012:/signing-profiles/profile" + string(rune('0'+v))
	}
	role := func(v int) string { return "arn:aws:iam::123456789012:role/role" + string(rune('0'+v)) }
	return []registryLagKind{
		{
			kind: "replication_configuration", initial: "0", change: true,
			write: func(c *ecr.Client, v int) error {
				region := map[int]string{1: "eu-west-1", 2: "eu-west-2"}[v]
				_, err := c.PutReplicationConfiguration(ctx, &ecr.PutReplicationConfigurationInput{
					ReplicationConfiguration: &types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
						Destinations: []types.ReplicationDestination{{Region: aws.String(region), RegistryId: aws.String("123456789012")}},
					}}}})
				return err
			},
			read: func(c *ecr.Client) string {
				out, err := c.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{})
				if err != nil {
					return errCode(err)
				}
				if len(out.ReplicationConfiguration.Rules) == 0 {
					return "0"
				}
				region := aws.ToString(out.ReplicationConfiguration.Rules[0].Destinations[0].Region)
				return label(region == "eu-west-1" || region == "eu-west-2", region == "eu-west-1")
			},
		},
		{
			kind: "scanning_configuration", initial: "0", change: true,
			write: func(c *ecr.Client, v int) error {
				in := &ecr.PutRegistryScanningConfigurationInput{ScanType: types.ScanTypeEnhanced}
				if v == 2 {
					in = &ecr.PutRegistryScanningConfigurationInput{ScanType: types.ScanTypeBasic,
						Rules: []types.RegistryScanningRule{{ScanFrequency: types.ScanFrequencyScanOnPush,
							RepositoryFilters: []types.ScanningRepositoryFilter{{Filter: aws.String("*"), FilterType: types.ScanningRepositoryFilterTypeWildcard}}}}}
				}
				_, err := c.PutRegistryScanningConfiguration(ctx, in)
				return err
			},
			read: func(c *ecr.Client) string {
				out, err := c.GetRegistryScanningConfiguration(ctx, &ecr.GetRegistryScanningConfigurationInput{})
				if err != nil {
					return errCode(err)
				}
				switch sc := out.ScanningConfiguration; {
				case sc.ScanType == types.ScanTypeEnhanced:
					return "1"
				case len(sc.Rules) > 0:
					return "2"
				}
				return "0"
			},
		},
		{
			kind: "signing_configuration", initial: "SigningConfigurationNotFoundException", change: true,
			write: func(c *ecr.Client, v int) error {
				_, err := c.PutSigningConfiguration(ctx, &ecr.PutSigningConfigurationInput{
					SigningConfiguration: &types.SigningConfiguration{Rules: []types.SigningRule{{SigningProfileArn: aws.String(signingProfile(v))}}}})
				return err
			},
			del: func(c *ecr.Client) error {
				_, err := c.DeleteSigningConfiguration(ctx, &ecr.DeleteSigningConfigurationInput{})
				return err
			},
			read: func(c *ecr.Client) string {
				out, err := c.GetSigningConfiguration(ctx, &ecr.GetSigningConfigurationInput{})
				if err != nil {
					return errCode(err)
				}
				arn := aws.ToString(out.SigningConfiguration.Rules[0].SigningProfileArn)
				return label(arn == signingProfile(1) || arn == signingProfile(2), arn == signingProfile(1))
			},
		},
		{
			kind: "pull_through_cache_rule", initial: "PullThroughCacheRuleNotFoundException", change: true,
			write: func(c *ecr.Client, v int) error {
				if v == 1 {
					_, err := c.CreatePullThroughCacheRule(ctx, &ecr.CreatePullThroughCacheRuleInput{
						EcrRepositoryPrefix: aws.String("lag"), UpstreamRegistryUrl: aws.String("public.ecr.aws"), CustomRoleArn: aws.String(role(1))})
					return err
				}
				_, err := c.UpdatePullThroughCacheRule(ctx, &ecr.UpdatePullThroughCacheRuleInput{
					EcrRepositoryPrefix: aws.String("lag"), CustomRoleArn: aws.String(role(2))})
				return err
			},
			del: func(c *ecr.Client) error {
				_, err := c.DeletePullThroughCacheRule(ctx, &ecr.DeletePullThroughCacheRuleInput{EcrRepositoryPrefix: aws.String("lag")})
				return err
			},
			read: func(c *ecr.Client) string {
				out, err := c.DescribePullThroughCacheRules(ctx, &ecr.DescribePullThroughCacheRulesInput{EcrRepositoryPrefixes: []string{"lag"}})
				if err != nil {
					return errCode(err)
				}
				arn := aws.ToString(out.PullThroughCacheRules[0].CustomRoleArn)
				return label(arn == role(1) || arn == role(2), arn == role(1))
			},
		},
		{
			// Read by listing every template, the other read path.
			kind: "repository_creation_template", initial: "-", change: true,
			write: func(c *ecr.Client, v int) error {
				if v == 1 {
					_, err := c.CreateRepositoryCreationTemplate(ctx, &ecr.CreateRepositoryCreationTemplateInput{
						Prefix: aws.String("lag"), Description: aws.String("1"), AppliedFor: []types.RCTAppliedFor{types.RCTAppliedForReplication}})
					return err
				}
				_, err := c.UpdateRepositoryCreationTemplate(ctx, &ecr.UpdateRepositoryCreationTemplateInput{
					Prefix: aws.String("lag"), Description: aws.String("2")})
				return err
			},
			del: func(c *ecr.Client) error {
				_, err := c.DeleteRepositoryCreationTemplate(ctx, &ecr.DeleteRepositoryCreationTemplateInput{Prefix: aws.String("lag")})
				return err
			},
			read: func(c *ecr.Client) string {
				out, err := c.DescribeRepositoryCreationTemplates(ctx, &ecr.DescribeRepositoryCreationTemplatesInput{})
				if err != nil {
					return errCode(err)
				}
				var got []string
				for _, t := range out.RepositoryCreationTemplates {
					got = append(got, aws.ToString(t.Prefix)+"="+aws.ToString(t.Description))
				}
				switch strings.Join(got, ",") {
				case "":
					return "-"
				case "lag=1":
					return "1"
				case "lag=2":
					return "2"
				}
				return "?" + strings.Join(got, ",")
			},
		},
		{
			// Value 2 is the default put explicitly.
			kind: "account_setting", initial: "2", change: true,
			write: func(c *ecr.Client, v int) error {
				_, err := c.PutAccountSetting(ctx, &ecr.PutAccountSettingInput{Name: aws.String("BLOB_MOUNTING"),
					Value: aws.String(map[int]string{1: "ENABLED", 2: "DISABLED"}[v])})
				return err
			},
			read: func(c *ecr.Client) string {
				out, err := c.GetAccountSetting(ctx, &ecr.GetAccountSettingInput{Name: aws.String("BLOB_MOUNTING")})
				if err != nil {
					return errCode(err)
				}
				v := aws.ToString(out.Value)
				return label(v == "ENABLED" || v == "DISABLED", v == "ENABLED")
			},
		},
		{
			kind: "pull_time_update_exclusion", initial: "-",
			write: func(c *ecr.Client, _ int) error {
				_, err := c.RegisterPullTimeUpdateExclusion(ctx, &ecr.RegisterPullTimeUpdateExclusionInput{PrincipalArn: aws.String(role(1))})
				return err
			},
			del: func(c *ecr.Client) error {
				_, err := c.DeregisterPullTimeUpdateExclusion(ctx, &ecr.DeregisterPullTimeUpdateExclusionInput{PrincipalArn: aws.String(role(1))})
				return err
			},
			read: func(c *ecr.Client) string {
				out, err := c.ListPullTimeUpdateExclusions(ctx, &ecr.ListPullTimeUpdateExclusionsInput{})
				if err != nil {
					return errCode(err)
				}
				switch got := strings.Join(out.PullTimeUpdateExclusions, ","); got {
				case "":
					return "-"
				case role(1):
					return "1"
				default:
					return "?" + got
				}
			},
		},
	}
}

// reads names what n reads of k see.
func (k registryLagKind) reads(c *ecr.Client, n int) string {
	got := make([]string, n)
	for i := range got {
		got[i] = k.read(c)
	}
	return strings.Join(got, " ")
}

// TestConsistencyLagRegistryKinds: for each registry-level kind, a write
// while a lag rule is active reads as before for two reads (a new object
// absent, a changed one old, a deleted one still there), then as written;
// a write after the rule is removed reads at once.
func TestConsistencyLagRegistryKinds(t *testing.T) {
	for _, k := range registryLagKinds() {
		t.Run(k.kind, func(t *testing.T) {
			c, emu := newClient(t)
			id := emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: k.kind, LagReads: 2})
			if got := k.read(c); got != k.initial {
				t.Fatalf("before any write: %s, want %s", got, k.initial)
			}
			if err := k.write(c, 1); err != nil {
				t.Fatal(err)
			}
			if got, want := k.reads(c, 3), k.initial+" "+k.initial+" 1"; got != want {
				t.Errorf("after create: %s, want %s", got, want)
			}
			last := "1"
			if k.change {
				if err := k.write(c, 2); err != nil {
					t.Fatal(err)
				}
				if got := k.reads(c, 3); got != "1 1 2" {
					t.Errorf("after change: %s, want 1 1 2", got)
				}
				last = "2"
			}
			if k.del != nil {
				// The delete sees the current state, so it succeeds at
				// once; reads still see the object.
				if err := k.del(c); err != nil {
					t.Fatal(err)
				}
				if got, want := k.reads(c, 3), last+" "+last+" "+k.initial; got != want {
					t.Errorf("after delete: %s, want %s", got, want)
				}
			}
			writes := 1
			if k.change {
				writes++
			}
			if k.del != nil {
				writes++
			}
			if hidden, old := emu.Faults().StaleReads(k.kind); hidden+old != 2*writes {
				t.Errorf("StaleReads(%s) = %d, %d; want %d stale reads in all", k.kind, hidden, old, 2*writes)
			}
			// Without the rule, writes read at once.
			emu.Faults().Remove(id)
			if err := k.write(c, 1); err != nil {
				t.Fatal(err)
			}
			if got := k.read(c); got != "1" {
				t.Errorf("without the rule: %s, want 1", got)
			}
		})
	}
}

// TestConsistencyLagRegistryKindsByTime: a lag by time hides a new object
// from every read until the time has passed, and a rule for one kind
// leaves the others alone.
func TestConsistencyLagRegistryKindsByTime(t *testing.T) {
	kinds := registryLagKinds()
	for i, k := range kinds {
		t.Run(k.kind, func(t *testing.T) {
			clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
			c, emu := newClient(t, emulator.WithClock(clk))
			emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: k.kind, LagFor: time.Minute})
			if err := k.write(c, 1); err != nil {
				t.Fatal(err)
			}
			if got, want := k.reads(c, 5), strings.TrimSpace(strings.Repeat(k.initial+" ", 5)); got != want {
				t.Errorf("during lag: %s, want %s", got, want)
			}
			other := kinds[(i+1)%len(kinds)]
			if err := other.write(c, 1); err != nil {
				t.Fatal(err)
			}
			if got := other.read(c); got != "1" {
				t.Errorf("%s lagged under a rule for %s: %s", other.kind, k.kind, got)
			}
			clk.Advance(time.Minute)
			if got := k.read(c); got != "1" {
				t.Errorf("after lag: %s, want 1", got)
			}
		})
	}
}

// TestConsistencyLagRewrite: writing again while reads still see the
// object as it was before a write does not show them the earlier write:
// they go on seeing the older state for the new write's lag, as a writer
// that re-writes on every stale read would find.
func TestConsistencyLagRewrite(t *testing.T) {
	for _, k := range registryLagKinds() {
		if !k.change {
			continue
		}
		t.Run(k.kind, func(t *testing.T) {
			c, emu := newClient(t)
			emu.Faults().MustAdd(emulator.Fault{Action: emulator.ActionLag, Kind: k.kind, LagReads: 2})
			if err := k.write(c, 1); err != nil {
				t.Fatal(err)
			}
			if got := k.read(c); got != k.initial {
				t.Fatalf("after the first write: %s, want %s", got, k.initial)
			}
			if err := k.write(c, 2); err != nil {
				t.Fatal(err)
			}
			if got, want := k.reads(c, 3), k.initial+" "+k.initial+" 2"; got != want {
				t.Errorf("after writing again: %s, want %s", got, want)
			}
		})
	}
}
