package ecr

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/ecrkit/terraform-provider-ecr/internal/framework"
)

// Resource identity and import, one way for every resource. An object of a
// registry is named by one key attribute (a repository's `name`, a policy's
// `repository`) within an account and a Region; the identity has the key
// and `account_id` and `region`, and the resource's state has the key,
// `id` (the key again) and `region`. Import takes either the import ID,
// `<key>` or `<key>@<region>` (as hashicorp/aws v6), or an identity.
//
// A singleton (one object per registry: the registry policy, the
// replication configuration) has no key: key is "" everywhere below. Its
// identity is `{account_id, region}`, its state's `id` is the account id,
// and its import ID is `<account_id>` or `<account_id>@<region>`.

// identityModel is an identity read from or written to Terraform.
type identityModel struct {
	Key       string // the value of the key attribute
	AccountID string
	Region    string
}

// identitySchema is the identity schema of a resource whose key attribute
// is key ("" for a singleton, whose identity is account and Region alone).
func identitySchema(key, keyDescription string) identityschema.Schema {
	s := identityschema.Schema{Attributes: map[string]identityschema.Attribute{
		"account_id": identityschema.StringAttribute{OptionalForImport: true,
			Description: "AWS account id of the registry; defaults to the provider's account."},
		"region": identityschema.StringAttribute{OptionalForImport: true,
			Description: "AWS Region of the registry; defaults to the provider's Region."},
	}}
	if key != "" {
		s.Attributes[key] = identityschema.StringAttribute{RequiredForImport: true, Description: keyDescription}
	}
	return s
}

// setIdentity records the identity of the object a resource manages. The
// identity is written as one value, and not at all when it already holds
// it: SetAttribute per attribute walked the schema and rebuilt the
// identity three times on every refresh (see rawattr.go).
func setIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, key string, id identityModel) diag.Diagnostics {
	var diags diag.Diagnostics
	if identity == nil {
		return diags
	}
	values := map[string]string{"account_id": id.AccountID, "region": id.Region}
	if key != "" {
		values[key] = id.Key
	}
	attrTypes := make(map[string]tftypes.Type, len(values))
	attrs := make(map[string]tftypes.Value, len(values))
	for name, v := range values {
		attrTypes[name], attrs[name] = tftypes.String, tftypes.NewValue(tftypes.String, v)
	}
	v := tftypes.NewValue(tftypes.Object{AttributeTypes: attrTypes}, attrs)
	if schemaType := identity.Schema.Type().TerraformType(ctx); !schemaType.Equal(v.Type()) {
		// Every identity schema is identitySchema's: this is a bug.
		diags.AddError("Provider bug: unexpected identity schema",
			fmt.Sprintf("The identity schema %s is not the one identitySchema(%q) builds.", schemaType, key))
		return diags
	}
	if !identity.Raw.Equal(v) {
		identity.Raw = v
	}
	return diags
}

// getIdentity reads an identity; ok is false when there is none (Terraform
// before 1.12, or a state written before identities).
func getIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, key string) (id identityModel, ok bool, diags diag.Diagnostics) {
	if identity == nil || identity.Raw.IsFullyNull() {
		return id, false, diags
	}
	var k, account, region types.String
	if key != "" {
		diags.Append(identity.GetAttribute(ctx, path.Root(key), &k)...)
	}
	diags.Append(identity.GetAttribute(ctx, path.Root("account_id"), &account)...)
	diags.Append(identity.GetAttribute(ctx, path.Root("region"), &region)...)
	return identityModel{Key: k.ValueString(), AccountID: account.ValueString(), Region: region.ValueString()}, true, diags
}

// checkIdentityScope refuses an identity (from an import block, from state
// or from a moved block) of another account than the provider's: its
// credentials cannot reach that registry. An empty account is not checked.
// The Region needs no check: the resource is managed in the Region its
// identity names.
func checkIdentityScope(ctx context.Context, meta *framework.Meta, account string) diag.Diagnostics {
	var diags diag.Diagnostics
	if meta == nil || account == "" {
		return diags // not configured yet, or nothing to check
	}
	own, err := meta.AccountID(ctx)
	switch {
	case err != nil:
		diags.AddError("reading the provider's account id", err.Error())
	case account != own:
		diags.AddAttributeError(path.Root("account_id"), "Resource identity in another account",
			fmt.Sprintf("The identity's account %q is not the provider's account %q: the provider's credentials belong to another account.",
				account, own))
	}
	return diags
}

// checkStoredIdentity checks the identity a Read gets from Terraform.
func checkStoredIdentity(ctx context.Context, meta *framework.Meta, identity *tfsdk.ResourceIdentity, key string) diag.Diagnostics {
	id, ok, diags := getIdentity(ctx, identity, key)
	if ok && !diags.HasError() {
		diags.Append(checkIdentityScope(ctx, meta, id.AccountID)...)
	}
	return diags
}

// keepIdentityOnRemove gives a Read that removes the resource (deleted out
// of band) the identity the framework wants even then: the stored one, or,
// when Terraform kept none, the one from state.
func keepIdentityOnRemove(ctx context.Context, identity *tfsdk.ResourceIdentity, key string, fromState identityModel) diag.Diagnostics {
	if identity == nil || !identity.Raw.IsFullyNull() {
		return nil
	}
	return setIdentity(ctx, identity, key, fromState)
}

// importByIDOrIdentity imports by import ID (`<key>` or `<key>@<region>`;
// a singleton's `<account_id>` or `<account_id>@<region>`) or by identity:
// it sets the key attribute, `id` and, when given, `region`; the Read that
// follows fills in the rest. validKey checks the key (nil when any string
// is, and for a singleton).
func importByIDOrIdentity(ctx context.Context, meta *framework.Meta, key string, validKey func(string) error,
	req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var id identityModel
	if req.ID != "" {
		id.Key = req.ID
		// The Region follows the last `@` (an IAM principal's name may
		// contain `@`: such a key is imported as `key@region`).
		if i := strings.LastIndex(req.ID, "@"); i >= 0 {
			id.Key, id.Region = req.ID[:i], req.ID[i+1:]
		}
		if key == "" {
			id.AccountID, id.Key = id.Key, ""
			if !registryIDPattern.MatchString(id.AccountID) {
				resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf(
					"The import ID %q is not an account id (12 digits), optionally followed by @ and a Region.", req.ID))
				return
			}
		}
	} else {
		var ok bool
		var diags diag.Diagnostics
		id, ok, diags = getIdentity(ctx, req.Identity, key)
		resp.Diagnostics.Append(diags...)
		if !ok && !diags.HasError() {
			resp.Diagnostics.AddError("Missing import ID", "Import needs an import ID or an identity.")
		}
		if resp.Diagnostics.HasError() {
			return
		}
	}
	resp.Diagnostics.Append(checkIdentityScope(ctx, meta, id.AccountID)...)
	if key != "" && id.Key == "" && !resp.Diagnostics.HasError() {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("The import ID %q names no %s.", req.ID, key))
	}
	if validKey != nil && id.Key != "" {
		if err := validKey(id.Key); err != nil {
			resp.Diagnostics.AddError("Invalid import ID", err.Error())
		}
	}
	if id.Region != "" && !regionPattern.MatchString(id.Region) {
		resp.Diagnostics.AddError("Invalid import ID", fmt.Sprintf("%q is not an AWS Region.", id.Region))
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if key == "" {
		// A singleton's id is its account: the identity's, else the provider's.
		if id.AccountID == "" && meta != nil {
			account, err := meta.AccountID(ctx)
			if err != nil {
				resp.Diagnostics.AddError("reading the provider's account id", err.Error())
				return
			}
			id.AccountID = account
		}
		id.Key = id.AccountID
	} else {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(key), id.Key)...)
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.Key)...)
	if id.Region != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("region"), id.Region)...)
	}
}
