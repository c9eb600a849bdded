//go:build !linux

package emulator

const mmapPopulate = 0
