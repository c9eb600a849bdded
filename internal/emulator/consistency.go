package emulator

import "slices"

// Eventual consistency (the lag fault, see ActionLag). Every object kind
// that can lag has one lookup helper, its only read path, and one store
// helper, its only write path. Both go through lagged and extras.written,
// so that all kinds share one behaviour: while a write lags, reads see the
// object as it was before the write.
//
// Each lookup is one read for the lag's read count.

// The object kinds a lag rule's Kind selects.
const (
	kindRepository       = "repository"
	kindRepositoryPolicy = "repository_policy"
	kindLifecyclePolicy  = "lifecycle_policy"
	kindRegistryPolicy   = "registry_policy"

	// Registry-level configurations and objects.
	kindReplication      = "replication_configuration"
	kindScanning         = "scanning_configuration"
	kindSigning          = "signing_configuration"
	kindPullThroughRule  = "pull_through_cache_rule"
	kindCreationTemplate = "repository_creation_template"
	kindAccountSetting   = "account_setting"
	kindExclusion        = "pull_time_update_exclusion"
)

// lagged applies the consistency lag of one object to a read of it: cur
// and ok are the object as it is now; while a write to it lags, the read
// gets the object as it was before the write instead.
func lagged[T any](e *Emulator, kind string, reg *Registry, key string, cur T, ok bool) (T, bool) {
	prev, existed, lagging := e.extra.staleRead(kind, reg, key)
	if !lagging {
		return cur, ok
	}
	// Each kind is stored and read as one type, so the assertion only
	// fails for an object that did not exist (prev nil).
	old, isT := prev.(T)
	return old, existed && isT
}

// stored notes a write for the lag; before is the object's old value,
// nil when it did not exist.
func stored[T any](e *Emulator, kind string, reg *Registry, key string, before *T) {
	if before == nil {
		e.extra.written(kind, reg, key, nil, false)
		return
	}
	e.extra.written(kind, reg, key, *before, true)
}

// ---- repositories ----

// lookupRepository is the one read path to a repository by name.
func (e *Emulator) lookupRepository(reg *Registry, name string) (*Repository, bool) {
	e.touchRepository(reg, name)
	repo, ok := reg.Repositories[name]
	return lagged(e, kindRepository, reg, name, repo, ok)
}

// listRepositories returns every repository a listing sees, by name: each
// goes through lookupRepository, and deleted repositories whose deletion
// still lags are included, as a lagging AWS read would show them.
func (e *Emulator) listRepositories(reg *Registry) []*Repository {
	names := sortedKeys(reg.Repositories)
	if gone := e.extra.laggingKeys(kindRepository, reg); len(gone) > 0 {
		names = slices.Compact(slices.Sorted(slices.Values(append(names, gone...))))
	}
	out := make([]*Repository, 0, len(names))
	for _, n := range names {
		if repo, ok := e.lookupRepository(reg, n); ok {
			out = append(out, repo)
		}
	}
	return out
}

// storeRepository adds a repository under name, or removes it (repo nil).
func (e *Emulator) storeRepository(reg *Registry, name string, repo *Repository) {
	e.touchRepository(reg, name)
	var before **Repository
	if old, ok := reg.Repositories[name]; ok {
		before = &old
	}
	stored(e, kindRepository, reg, name, before)
	if repo == nil {
		delete(reg.Repositories, name)
		return
	}
	reg.Repositories[name] = repo
}

// findRepository resolves registryId and repositoryName and returns the
// repository or RepositoryNotFoundException.
func findRepository(r *request, reg *Registry, registryID *string, name *string) (*Repository, error) {
	id, err := checkRegistryID(r, registryID)
	if err != nil {
		return nil, err
	}
	if err := checkRepositoryName("repositoryName", name); err != nil {
		return nil, err
	}
	repo, ok := r.e.lookupRepository(reg, *name)
	if !ok || repo.RegistryID != id {
		return nil, errRepositoryNotFound(*name, id)
	}
	return repo, nil
}

// ---- policies ----

// lookupRepositoryPolicy is the one read path to a repository's policy.
func (e *Emulator) lookupRepositoryPolicy(reg *Registry, repo *Repository) (string, bool) {
	return lagged(e, kindRepositoryPolicy, reg, repo.RepositoryName, deref(repo.Data.Policy), repo.Data.Policy != nil)
}

// storeRepositoryPolicy sets (or, text nil, removes) a repository's policy.
func (e *Emulator) storeRepositoryPolicy(reg *Registry, repo *Repository, text *string) {
	stored(e, kindRepositoryPolicy, reg, repo.RepositoryName, repo.Data.Policy)
	repo.Data.Policy = text
}

// lookupLifecyclePolicy is the one read path to a repository's lifecycle
// policy.
func (e *Emulator) lookupLifecyclePolicy(reg *Registry, repo *Repository) (string, bool) {
	return lagged(e, kindLifecyclePolicy, reg, repo.RepositoryName, deref(repo.Data.LifecyclePolicy), repo.Data.LifecyclePolicy != nil)
}

// storeLifecyclePolicy sets (or, text nil, removes) a repository's
// lifecycle policy.
func (e *Emulator) storeLifecyclePolicy(reg *Registry, repo *Repository, text *string) {
	stored(e, kindLifecyclePolicy, reg, repo.RepositoryName, repo.Data.LifecyclePolicy)
	repo.Data.LifecyclePolicy = text
}

// lookupRegistryPolicy is the one read path to the registry policy.
func (e *Emulator) lookupRegistryPolicy(reg *Registry) (string, bool) {
	return lagged(e, kindRegistryPolicy, reg, "", deref(reg.RegistryPolicy), reg.RegistryPolicy != nil)
}

// storeRegistryPolicy sets (or, text nil, removes) the registry policy.
func (e *Emulator) storeRegistryPolicy(reg *Registry, text *string) {
	stored(e, kindRegistryPolicy, reg, "", reg.RegistryPolicy)
	reg.RegistryPolicy = text
}

// ---- registry-level configurations ----
//
// Only the read operation of each configuration (DescribeRegistry,
// GetRegistryScanningConfiguration, ...) goes through the lag; what the
// registry does with a configuration (replicating a push, scanning it,
// applying a creation template, serving a pull through cache) and the
// writes' own checks use the current one.

// lookupReplication is the one read path to the replication configuration.
func (e *Emulator) lookupReplication(reg *Registry) ReplicationConfiguration {
	c, _ := lagged(e, kindReplication, reg, "", reg.Replication, true)
	return c
}

// storeReplication replaces the replication configuration.
func (e *Emulator) storeReplication(reg *Registry, c ReplicationConfiguration) {
	before := reg.Replication
	stored(e, kindReplication, reg, "", &before)
	reg.Replication = c
}

// lookupScanning is the one read path to the registry scanning
// configuration.
func (e *Emulator) lookupScanning(reg *Registry) RegistryScanningConfig {
	c, _ := lagged(e, kindScanning, reg, "", reg.Scanning, true)
	return c
}

// storeScanning replaces the registry scanning configuration.
func (e *Emulator) storeScanning(reg *Registry, c RegistryScanningConfig) {
	before := reg.Scanning
	stored(e, kindScanning, reg, "", &before)
	reg.Scanning = c
}

// lookupSigning is the one read path to the signing configuration.
func (e *Emulator) lookupSigning(reg *Registry) (*SigningConfiguration, bool) {
	return lagged(e, kindSigning, reg, "", reg.Signing, reg.Signing != nil)
}

// storeSigning sets (or, c nil, removes) the signing configuration.
func (e *Emulator) storeSigning(reg *Registry, c *SigningConfiguration) {
	var before **SigningConfiguration
	if old := reg.Signing; old != nil {
		before = &old
	}
	stored(e, kindSigning, reg, "", before)
	reg.Signing = c
}

// lookupAccountSetting is the one read path to an account setting: its
// effective value (the default when it was never put).
func (e *Emulator) lookupAccountSetting(reg *Registry, name string) string {
	cur, ok := reg.AccountSettings[name]
	if v, set := lagged(e, kindAccountSetting, reg, name, cur, ok); set {
		return v
	}
	return accountSetting(&Registry{}, name)
}

// storeAccountSetting puts an account setting.
func (e *Emulator) storeAccountSetting(reg *Registry, name, value string) {
	var before *string
	if old, ok := reg.AccountSettings[name]; ok {
		before = &old
	}
	stored(e, kindAccountSetting, reg, name, before)
	reg.AccountSettings[name] = value
}

// ---- registry-level objects kept by key ----

// lookupKeyed reads one object of a keyed kind through the lag.
func lookupKeyed[V any](e *Emulator, kind string, reg *Registry, m map[string]V, key string) (V, bool) {
	cur, ok := m[key]
	return lagged(e, kind, reg, key, cur, ok)
}

// listKeyed returns the objects of a keyed kind that a listing sees, by
// key: each is one read through the lag, and objects whose deletion still
// lags are included.
func listKeyed[V any](e *Emulator, kind string, reg *Registry, m map[string]V) map[string]V {
	keys := sortedKeys(m)
	if gone := e.extra.laggingKeys(kind, reg); len(gone) > 0 {
		keys = slices.Compact(slices.Sorted(slices.Values(append(keys, gone...))))
	}
	out := make(map[string]V, len(keys))
	for _, k := range keys {
		if v, ok := lookupKeyed(e, kind, reg, m, k); ok {
			out[k] = v
		}
	}
	return out
}

// storeKeyed sets (or, v nil, removes) the object of a keyed kind under
// key. Stored objects are never changed in place: an update stores a
// changed copy, so that a lagging read can still return the old one.
func storeKeyed[V any](e *Emulator, kind string, reg *Registry, m map[string]*V, key string, v *V) {
	var before **V
	if old, ok := m[key]; ok {
		before = &old
	}
	stored(e, kind, reg, key, before)
	if v == nil {
		delete(m, key)
		return
	}
	m[key] = v
}

// lookupPullThroughRule is the one read path to a pull through cache rule
// by its prefix key, listPullThroughRules the one listing.
func (e *Emulator) lookupPullThroughRule(reg *Registry, key string) (*PullThroughCacheRule, bool) {
	return lookupKeyed(e, kindPullThroughRule, reg, reg.PullThroughRules, key)
}

func (e *Emulator) listPullThroughRules(reg *Registry) map[string]*PullThroughCacheRule {
	return listKeyed(e, kindPullThroughRule, reg, reg.PullThroughRules)
}

// storePullThroughRule sets (or, rule nil, removes) a pull through cache
// rule.
func (e *Emulator) storePullThroughRule(reg *Registry, key string, rule *PullThroughCacheRule) {
	storeKeyed(e, kindPullThroughRule, reg, reg.PullThroughRules, key, rule)
}

// lookupCreationTemplate is the one read path to a repository creation
// template by its prefix key, listCreationTemplates the one listing.
func (e *Emulator) lookupCreationTemplate(reg *Registry, key string) (*RepositoryCreationTemplate, bool) {
	return lookupKeyed(e, kindCreationTemplate, reg, reg.Templates, key)
}

func (e *Emulator) listCreationTemplates(reg *Registry) map[string]*RepositoryCreationTemplate {
	return listKeyed(e, kindCreationTemplate, reg, reg.Templates)
}

// storeCreationTemplate sets (or, t nil, removes) a repository creation
// template.
func (e *Emulator) storeCreationTemplate(reg *Registry, key string, t *RepositoryCreationTemplate) {
	storeKeyed(e, kindCreationTemplate, reg, reg.Templates, key, t)
}

// listExclusions is the one read path to the pull time update exclusions.
func (e *Emulator) listExclusions(reg *Registry) map[string]*PullTimeUpdateExclusion {
	return listKeyed(e, kindExclusion, reg, reg.Exclusions)
}

// storeExclusion sets (or, x nil, removes) a pull time update exclusion.
func (e *Emulator) storeExclusion(reg *Registry, arn string, x *PullTimeUpdateExclusion) {
	storeKeyed(e, kindExclusion, reg, reg.Exclusions, arn, x)
}
