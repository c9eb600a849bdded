package emulator

// lookupRepository is the one read path to a repository: it applies the
// eventual-consistency lag configured for tests (a new repository stays
// invisible for a while, a deleted one stays visible).
//
// Each call is one read for the lag's read count. Reads see the ghost of a
// deleted repository only by name: listings iterate reg.Repositories.
func (e *Emulator) lookupRepository(reg *Registry, name string) (*Repository, bool) {
	if repo, ok := reg.Repositories[name]; ok {
		if e.extra.isHidden("repository", reg, name) {
			return nil, false
		}
		return repo, true
	}
	if g, ok := e.extra.ghostOf("repository", reg, name); ok {
		if repo, ok := g.(*Repository); ok {
			return repo, true
		}
	}
	return nil, false
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
