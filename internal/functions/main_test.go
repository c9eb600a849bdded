package functions_test

import (
	"testing"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
)

func TestMain(m *testing.M) { acctest.TestMain(m) }
