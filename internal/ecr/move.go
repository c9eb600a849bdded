package ecr

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// awsProviderAddress is the source address of hashicorp/aws.
const awsProviderAddress = "registry.terraform.io/hashicorp/aws"

// timeoutsAttrTypes are the attributes of the `timeouts` block.
var timeoutsAttrTypes = map[string]attr.Type{"create": types.StringType, "update": types.StringType}
