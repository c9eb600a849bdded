package functions

import "github.com/hashicorp/terraform-plugin-framework/function"

// All lists every provider function.
func All() []func() function.Function {
	return []func() function.Function{
		NewImageURIFunction,
		NewParseImageURIFunction,
		NewRepositoryARNFunction,
		NewParseRepositoryARNFunction,
	}
}
