package emulator

// lookupRepository is the one read path to a repository: it applies the
// eventual-consistency lag configured for tests (a new repository stays
// invisible for a while, a deleted one stays visible).
func (e *Emulator) lookupRepository(reg *Registry, name string) (*Repository, bool) {
	repo, ok := reg.Repositories[name]
	return repo, ok
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
