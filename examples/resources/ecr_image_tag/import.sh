# The import ID is `<repository>:<tag>`; the imported resource gets the
# tag's image as source_digest.
terraform import ecr_image_tag.prod team-a/service:prod

# In another Region than the provider's: <repository>:<tag>@<region>.
terraform import ecr_image_tag.prod team-a/service:prod@us-east-1
