package emulator

import (
	"slices"
	"strings"
)

func init() {
	register("GetAccountSetting", true, getAccountSetting)
	register("PutAccountSetting", false, putAccountSetting)
}

// accountSettingValues lists, per setting name, its allowed values; the
// first is the default. The historic values CLAIR and V1 are still
// accepted, as the Terraform AWS provider allows them.
//
// Assumption: the defaults are AWS_NATIVE, V2 ("the default registry policy
// scope") and DISABLED (blob mounting is opt-in).
var accountSettingValues = map[string][]string{
	"BASIC_SCAN_TYPE_VERSION": {"AWS_NATIVE", "CLAIR"},
	"REGISTRY_POLICY_SCOPE":   {"V2", "V1"},
	"BLOB_MOUNTING":           {"DISABLED", "ENABLED"},
}

// accountSetting returns the effective value of a setting (other
// operations use it, e.g. REGISTRY_POLICY_SCOPE for PutRegistryPolicy).
func accountSetting(reg *Registry, name string) string {
	if v, ok := reg.AccountSettings[name]; ok {
		return v
	}
	if vals := accountSettingValues[name]; len(vals) > 0 {
		return vals[0]
	}
	return ""
}

type accountSettingIO struct {
	Name  *string `json:"name"`
	Value *string `json:"value,omitempty"`
}

// checkAccountSettingName validates name: the model's length constraint
// first, then (assumption) ValidationException for an unknown name.
func checkAccountSettingName(name *string) error {
	if err := checkRequired("name", name != nil); err != nil {
		return err
	}
	if err := checkLength("name", *name, 1, 64); err != nil {
		return err
	}
	if _, ok := accountSettingValues[*name]; !ok {
		return errValidation("Invalid account setting name '%s'. Valid names are: %s", *name, strings.Join(sortedKeys(accountSettingValues), ", "))
	}
	return nil
}

func getAccountSetting(r *request, reg *Registry) (any, error) {
	var in accountSettingIO
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkAccountSettingName(in.Name); err != nil {
		return nil, err
	}
	v := r.e.lookupAccountSetting(reg, *in.Name)
	return accountSettingIO{Name: in.Name, Value: &v}, nil
}

func putAccountSetting(r *request, reg *Registry) (any, error) {
	var in accountSettingIO
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkAccountSettingName(in.Name); err != nil {
		return nil, err
	}
	if err := checkRequired("value", in.Value != nil); err != nil {
		return nil, err
	}
	// Assumption: a value the setting does not take is a ValidationException.
	if allowed := accountSettingValues[*in.Name]; !slices.Contains(allowed, *in.Value) {
		return nil, errValidation("Invalid value '%s' for account setting '%s'. Valid values are: %s",
			*in.Value, *in.Name, strings.Join(allowed, ", "))
	}
	r.e.storeAccountSetting(reg, *in.Name, *in.Value)
	return accountSettingIO{Name: in.Name, Value: in.Value}, nil
}
