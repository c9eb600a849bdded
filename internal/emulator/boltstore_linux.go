package emulator

import "syscall"

const mmapPopulate = syscall.MAP_POPULATE
