package emulator

import "regexp"

func init() {
	register("RegisterPullTimeUpdateExclusion", false, registerPullTimeUpdateExclusion)
	register("DeregisterPullTimeUpdateExclusion", false, deregisterPullTimeUpdateExclusion)
	register("ListPullTimeUpdateExclusions", true, listPullTimeUpdateExclusions)
}

const (
	principalArnPattern = `^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(role|user)/[\w+=,.@-]+(/[\w+=,.@-]+)*$`
	maxExclusions       = 100
)

var rePrincipalArn = regexp.MustCompile(principalArnPattern)

type principalArnInput struct {
	PrincipalArn *string `json:"principalArn"`
}

func checkPrincipalArn(v *string) error {
	if err := checkRequired("principalArn", v != nil); err != nil {
		return err
	}
	if err := checkLength("principalArn", *v, 0, 200); err != nil {
		return err
	}
	return checkPattern("principalArn", *v, rePrincipalArn, principalArnPattern)
}

func registerPullTimeUpdateExclusion(r *request, reg *Registry) (any, error) {
	var in principalArnInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkPrincipalArn(in.PrincipalArn); err != nil {
		return nil, err
	}
	arn := *in.PrincipalArn
	if _, exists := reg.Exclusions[arn]; exists {
		return nil, apiErr("ExclusionAlreadyExistsException",
			"The principal '%s' is already excluded from pull time updates in the registry with id '%s'", arn, reg.Account)
	}
	if len(reg.Exclusions) >= maxExclusions {
		return nil, apiErr("LimitExceededException",
			"The maximum number of pull time update exclusions (%d) for the registry with id '%s' has been reached", maxExclusions, reg.Account)
	}
	x := &PullTimeUpdateExclusion{PrincipalArn: arn, CreatedAt: ts(r.e.now())}
	r.e.storeExclusion(reg, arn, x)
	return *x, nil
}

func deregisterPullTimeUpdateExclusion(r *request, reg *Registry) (any, error) {
	var in principalArnInput
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	if err := checkPrincipalArn(in.PrincipalArn); err != nil {
		return nil, err
	}
	arn := *in.PrincipalArn
	if _, exists := reg.Exclusions[arn]; !exists {
		return nil, apiErr("ExclusionNotFoundException",
			"The principal '%s' is not excluded from pull time updates in the registry with id '%s'", arn, reg.Account)
	}
	r.e.storeExclusion(reg, arn, nil)
	return struct {
		PrincipalArn string `json:"principalArn"`
	}{arn}, nil
}

func listPullTimeUpdateExclusions(r *request, reg *Registry) (any, error) {
	var in struct {
		NextToken  *string `json:"nextToken"`
		MaxResults *int64  `json:"maxResults"`
	}
	if err := r.decode(&in); err != nil {
		return nil, err
	}
	page, next, err := paginate(r, sortedKeys(r.e.listExclusions(reg)), in.NextToken, in.MaxResults, 100, 1000)
	if err != nil {
		return nil, err
	}
	return struct {
		PullTimeUpdateExclusions []string `json:"pullTimeUpdateExclusions"`
		NextToken                *string  `json:"nextToken,omitempty"`
	}{append([]string{}, page...), strOrNil(next)}, nil
}
