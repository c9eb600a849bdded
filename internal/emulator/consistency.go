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
