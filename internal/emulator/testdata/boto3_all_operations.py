"""Drives every ECR operation botocore knows through boto3 against an ECR endpoint.

Usage: python3 boto3_all_operations.py URL

A second, independent SDK (botocore serialises requests and parses responses
from its own copy of the ECR model) must get well-formed answers from the
emulator. Exits 0 after printing "called: Op1,Op2,..." on its last line;
any unexpected error, or an answer missing what the model says it has,
exits non-zero with a traceback.
"""
import base64
import datetime
import hashlib
import json
import sys

import boto3
from botocore.config import Config

URL = sys.argv[1]
ACCOUNT = "123456789012"
REGION = "us-west-2"
c = boto3.client(
    "ecr",
    endpoint_url=URL,
    region_name=REGION,
    aws_access_key_id="AKIDEXAMPLE",
    aws_secret_access_key="secret",
    config=Config(retries={"max_attempts": 1}),
)
snake = {api: py for py, api in c.meta.method_to_api_mapping.items()}
called = set()


def call(op, **kw):
    out = getattr(c, snake[op])(**kw)
    called.add(op)
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200, (op, out)
    return out


def expect_error(op, code, **kw):
    try:
        getattr(c, snake[op])(**kw)
    except c.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == code, (op, e.response)
        called.add(op)
        return e
    raise AssertionError(f"{op} succeeded, want {code}")


def is_time(v):
    return isinstance(v, datetime.datetime) and v.tzinfo is not None


def sha256(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


REPO = "boto/app"
ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{REPO}"
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Sid": "pull", "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": ["ecr:BatchGetImage"]}]})
LIFECYCLE = json.dumps({"rules": [{"rulePriority": 1, "description": "expire untagged",
                       "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                                     "countNumber": 14}, "action": {"type": "expire"}}]})

# ---- repositories ----
out = call("CreateRepository", repositoryName=REPO, tags=[{"Key": "team", "Value": "a"}],
           imageScanningConfiguration={"scanOnPush": False})
repo = out["repository"]
assert repo["repositoryArn"] == ARN and is_time(repo["createdAt"]), repo
assert repo["repositoryUri"] == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{REPO}", repo
assert call("DescribeRepositories", repositoryNames=[REPO])["repositories"][0]["repositoryName"] == REPO
e = expect_error("DescribeRepositories", "RepositoryNotFoundException", repositoryNames=["boto/none"])
assert isinstance(e, c.exceptions.RepositoryNotFoundException), type(e)
call("PutImageTagMutability", repositoryName=REPO, imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
     imageTagMutabilityExclusionFilters=[{"filterType": "WILDCARD", "filter": "latest*"}])
call("PutImageScanningConfiguration", repositoryName=REPO, imageScanningConfiguration={"scanOnPush": True})
call("TagResource", resourceArn=ARN, tags=[{"Key": "env", "Value": "dev"}])
call("UntagResource", resourceArn=ARN, tagKeys=["team"])
assert call("ListTagsForResource", resourceArn=ARN)["tags"] == [{"Key": "env", "Value": "dev"}]

# ---- repository policy and lifecycle policy ----
call("SetRepositoryPolicy", repositoryName=REPO, policyText=POLICY)
assert json.loads(call("GetRepositoryPolicy", repositoryName=REPO)["policyText"]) == json.loads(POLICY)
call("DeleteRepositoryPolicy", repositoryName=REPO)
call("PutLifecyclePolicy", repositoryName=REPO, lifecyclePolicyText=LIFECYCLE)
got = call("GetLifecyclePolicy", repositoryName=REPO)
assert json.loads(got["lifecyclePolicyText"]) == json.loads(LIFECYCLE) and is_time(got["lastEvaluatedAt"]), got
call("StartLifecyclePolicyPreview", repositoryName=REPO)
preview = call("GetLifecyclePolicyPreview", repositoryName=REPO)
assert preview["status"] in ("IN_PROGRESS", "COMPLETE"), preview

# ---- layers and images ----
config = b'{"architecture":"amd64","os":"linux"}'
layer = b"layer bytes from boto3"
for blob in (config, layer):
    up = call("InitiateLayerUpload", repositoryName=REPO)
    assert up["partSize"] > 0, up
    part = call("UploadLayerPart", repositoryName=REPO, uploadId=up["uploadId"], partFirstByte=0,
                partLastByte=len(blob) - 1, layerPartBlob=blob)
    assert part["lastByteReceived"] == len(blob) - 1, part
    done = call("CompleteLayerUpload", repositoryName=REPO, uploadId=up["uploadId"], layerDigests=[sha256(blob)])
    assert done["layerDigest"] == sha256(blob), done
avail = call("BatchCheckLayerAvailability", repositoryName=REPO, layerDigests=[sha256(layer)])
assert avail["layers"][0]["layerAvailability"] == "AVAILABLE", avail
assert call("GetDownloadUrlForLayer", repositoryName=REPO, layerDigest=sha256(layer))["downloadUrl"].startswith("http")
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": sha256(config), "size": len(config)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                   "digest": sha256(layer), "size": len(layer)}]})
img = call("PutImage", repositoryName=REPO, imageManifest=manifest, imageTag="v1")["image"]
digest = img["imageId"]["imageDigest"]
assert digest == sha256(manifest.encode()), img
expect_error("PutImage", "ImageTagAlreadyExistsException", repositoryName=REPO, imageManifest=manifest + " ",
             imageTag="v1")
got = call("BatchGetImage", repositoryName=REPO, imageIds=[{"imageTag": "v1"}])
assert got["images"][0]["imageManifest"] == manifest and got["failures"] == [], got
detail = call("DescribeImages", repositoryName=REPO)["imageDetails"][0]
assert is_time(detail["imagePushedAt"]) and detail["imageTags"] == ["v1"], detail
assert call("ListImages", repositoryName=REPO)["imageIds"] == [{"imageDigest": digest, "imageTag": "v1"}]
# scanOnPush ran a scan: a second one within 24 h is over the quota.
expect_error("StartImageScan", "LimitExceededException", repositoryName=REPO, imageId={"imageDigest": digest})
findings = call("DescribeImageScanFindings", repositoryName=REPO, imageId={"imageDigest": digest})
assert findings["imageScanStatus"]["status"] in ("IN_PROGRESS", "COMPLETE"), findings
call("DescribeImageReplicationStatus", repositoryName=REPO, imageId={"imageDigest": digest})
call("DescribeImageSigningStatus", repositoryName=REPO, imageId={"imageDigest": digest})
assert call("ListImageReferrers", repositoryName=REPO, subjectId={"imageDigest": digest})["referrers"] == []
assert call("UpdateImageStorageClass", repositoryName=REPO, imageId={"imageDigest": digest},
            targetStorageClass="ARCHIVE")["imageStatus"] == "ARCHIVED"
call("UpdateImageStorageClass", repositoryName=REPO, imageId={"imageDigest": digest}, targetStorageClass="STANDARD")
deleted = call("BatchDeleteImage", repositoryName=REPO, imageIds=[{"imageDigest": digest}])
assert deleted["imageIds"] == [{"imageDigest": digest, "imageTag": "v1"}], deleted
call("DeleteLifecyclePolicy", repositoryName=REPO)

# ---- registry ----
assert call("DescribeRegistry")["registryId"] == ACCOUNT
call("PutRegistryPolicy", policyText=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "replicate", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    "Action": ["ecr:CreateRepository", "ecr:ReplicateImage"], "Resource": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"}]}))
assert call("GetRegistryPolicy")["registryId"] == ACCOUNT
call("DeleteRegistryPolicy")
call("PutReplicationConfiguration", replicationConfiguration={"rules": [
    {"destinations": [{"region": "eu-west-1", "registryId": ACCOUNT}]}]})
call("PutRegistryScanningConfiguration", scanType="BASIC", rules=[
    {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "boto/*", "filterType": "WILDCARD"}]}])
assert call("GetRegistryScanningConfiguration")["scanningConfiguration"]["scanType"] == "BASIC"
scan = call("BatchGetRepositoryScanningConfiguration", repositoryNames=[REPO, "boto/none"])
assert scan["failures"][0]["failureCode"] == "REPOSITORY_NOT_FOUND", scan
token = call("GetAuthorizationToken")["authorizationData"][0]
assert base64.b64decode(token["authorizationToken"]).startswith(b"AWS:") and is_time(token["expiresAt"]), "token"

# ---- pull-through cache rules ----
secret = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:ecr-pullthroughcache/docker-hub"
rule = call("CreatePullThroughCacheRule", ecrRepositoryPrefix="hub", upstreamRegistryUrl="registry-1.docker.io",
            credentialArn=secret + "-a")
assert rule["upstreamRegistry"] == "docker-hub" and is_time(rule["createdAt"]), rule
assert call("DescribePullThroughCacheRules")["pullThroughCacheRules"][0]["ecrRepositoryPrefix"] == "hub"
call("UpdatePullThroughCacheRule", ecrRepositoryPrefix="hub", credentialArn=secret + "-b")
assert "isValid" in call("ValidatePullThroughCacheRule", ecrRepositoryPrefix="hub")
call("DeletePullThroughCacheRule", ecrRepositoryPrefix="hub")
expect_error("DescribePullThroughCacheRules", "PullThroughCacheRuleNotFoundException", ecrRepositoryPrefixes=["hub"])

# ---- repository creation templates ----
tmpl = call("CreateRepositoryCreationTemplate", prefix="tmpl", appliedFor=["CREATE_ON_PUSH"],
            description="from boto3")["repositoryCreationTemplate"]
assert tmpl["prefix"] == "tmpl" and is_time(tmpl["createdAt"]), tmpl
assert call("DescribeRepositoryCreationTemplates", prefixes=["tmpl"])["repositoryCreationTemplates"][0]["prefix"] == "tmpl"
call("UpdateRepositoryCreationTemplate", prefix="tmpl", imageTagMutability="IMMUTABLE")
call("DeleteRepositoryCreationTemplate", prefix="tmpl")

# ---- account settings, signing, pull-time update exclusions ----
call("PutAccountSetting", name="BASIC_SCAN_TYPE_VERSION", value="AWS_NATIVE")
assert call("GetAccountSetting", name="BASIC_SCAN_TYPE_VERSION")["value"] == "AWS_NATIVE"
profile = f"arn:aws:signer:{REGION}:{ACCOUNT}:/signing-profiles/BotoProfile"
call("PutSigningConfiguration", signingConfiguration={"rules": [{"signingProfileArn": profile}]})
assert call("GetSigningConfiguration")["signingConfiguration"]["rules"][0]["signingProfileArn"] == profile
call("DeleteSigningConfiguration")
principal = f"arn:aws:iam::{ACCOUNT}:role/ci"
call("RegisterPullTimeUpdateExclusion", principalArn=principal)
assert call("ListPullTimeUpdateExclusions")["pullTimeUpdateExclusions"] == [principal]
call("DeregisterPullTimeUpdateExclusion", principalArn=principal)

call("DeleteRepository", repositoryName=REPO, force=True)
expect_error("DeleteRepository", "RepositoryNotFoundException", repositoryName=REPO)

missing = set(c.meta.service_model.operation_names) - called
assert not missing, f"operations botocore knows that were not called: {sorted(missing)}"
print("called: " + ",".join(sorted(called)))
