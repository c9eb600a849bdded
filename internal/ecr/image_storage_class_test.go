package ecr_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsecr "github.com/aws/aws-sdk-go-v2/service/ecr"
	awstypes "github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/ecrkit/terraform-provider-ecr/internal/acctest"
	"github.com/ecrkit/terraform-provider-ecr/internal/ecr"
)

const imageStorageClassAddr = "ecr_image_storage_class.test"

// testAccImageStatusIs checks the status of the image pushed as v1.
func testAccImageStatusIs(b *acctest.Backend, rName, want string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		img, err := ecr.FindImageStorageClassByID(acctest.Context(), b.Client, rName+":"+acctest.ImageDigest("v1"))
		if err != nil {
			return err
		}
		if string(img.ImageStatus) != want {
			return fmt.Errorf("image status %s, want %s", img.ImageStatus, want)
		}
		return nil
	}
}

func testAccImageStorageClassConfig(b *acctest.Backend, rName, class string) string {
	return b.Config(fmt.Sprintf(testAccImageRepositoryConfig, rName) + fmt.Sprintf(`
resource "ecr_image_storage_class" "test" {
  repository    = ecr_repository.test.name
  image_digest  = %[1]q
  storage_class = %[2]q
}
`, acctest.ImageDigest("v1"), class))
}

// TestAccImageStorageClass_basic archives an image, imports it, restores it
// in place (through ACTIVATING), archives it again, and restores it on
// destroy.
func TestAccImageStorageClass_basic(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "archives images")
	rName := acctest.RandomName("tf-acc-class")
	repo := b.Config(fmt.Sprintf(testAccImageRepositoryConfig, rName))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: repo, Check: testAccPutImage(b, rName, "v1")},
			{
				Config:           testAccImageStorageClassConfig(b, rName, "ARCHIVE"),
				ConfigPlanChecks: expectActionThenEmptyPlan(imageStorageClassAddr, plancheck.ResourceActionCreate),
				ConfigStateChecks: []statecheck.StateCheck{
					stateValueAt(imageStorageClassAddr, "image_status", knownvalue.StringExact("ARCHIVED")),
					stateValueAt(imageStorageClassAddr, "id", knownvalue.StringExact(rName+":"+acctest.ImageDigest("v1"))),
					stateValueAt(imageStorageClassAddr, "registry_id", knownvalue.StringExact(b.AccountID)),
				},
				Check: testAccImageStatusIs(b, rName, "ARCHIVED"),
			},
			{ResourceName: imageStorageClassAddr, ImportState: true, ImportStateVerify: true},
			{
				Config:            testAccImageStorageClassConfig(b, rName, "STANDARD"),
				ConfigPlanChecks:  expectActionThenEmptyPlan(imageStorageClassAddr, plancheck.ResourceActionUpdate),
				ConfigStateChecks: []statecheck.StateCheck{stateValueAt(imageStorageClassAddr, "image_status", knownvalue.StringExact("ACTIVE"))},
				Check:             testAccImageStatusIs(b, rName, "ACTIVE"),
			},
			{
				Config:           testAccImageStorageClassConfig(b, rName, "ARCHIVE"),
				ConfigPlanChecks: expectActionThenEmptyPlan(imageStorageClassAddr, plancheck.ResourceActionUpdate),
				Check:            testAccImageStatusIs(b, rName, "ARCHIVED"),
			},
			{
				// Restored outside Terraform: the plan archives it again.
				Config: testAccImageStorageClassConfig(b, rName, "ARCHIVE"),
				Check: func(*terraform.State) error {
					_, err := b.Client.UpdateImageStorageClass(acctest.Context(), &awsecr.UpdateImageStorageClassInput{RepositoryName: aws.String(rName),
						ImageId: &awstypes.ImageIdentifier{ImageDigest: aws.String(acctest.ImageDigest("v1"))}, TargetStorageClass: awstypes.TargetStorageClassStandard})
					return err
				},
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(imageStorageClassAddr, plancheck.ResourceActionUpdate)}},
			},
			{
				// Without the resource the image is restored.
				Config: repo,
				Check:  testAccImageStatusIs(b, rName, "ACTIVE"),
			},
		},
	})
}

func TestAccImageStorageClass_disappears(t *testing.T) {
	b := acctest.NewBackend(t)
	b.RequireEmulator(t, "archives images")
	rName := acctest.RandomName("tf-acc-class")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: b.Config(fmt.Sprintf(testAccImageRepositoryConfig, rName)), Check: testAccPutImage(b, rName, "v1")},
			testAccStepDisappears(testAccImageStorageClassConfig(b, rName, "ARCHIVE"), imageStorageClassAddr,
				testAccImageStatusIs(b, rName, "ARCHIVED"), func() error {
					_, err := b.Client.BatchDeleteImage(acctest.Context(), &awsecr.BatchDeleteImageInput{RepositoryName: aws.String(rName),
						ImageIds: []awstypes.ImageIdentifier{{ImageDigest: aws.String(acctest.ImageDigest("v1"))}}})
					return err
				}),
		},
	})
}

func TestAccImageStorageClass_badInput(t *testing.T) {
	b := acctest.NewBackend(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      b.Config(`resource "ecr_image_storage_class" "test" {` + "\nrepository = \"repo\"\nimage_digest = \"latest\"\nstorage_class = \"ARCHIVE\"\n}"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)image_digest.*must be an image digest`),
			},
			{
				Config:      b.Config(`resource "ecr_image_storage_class" "test" {` + "\nrepository = \"repo\"\nimage_digest = \"" + acctest.ImageDigest("v1") + "\"\nstorage_class = \"GLACIER\"\n}"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)storage_class.*value must be one of`),
			},
		},
	})
}
