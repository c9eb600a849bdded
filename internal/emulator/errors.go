package emulator

import (
	"errors"
	"fmt"
	"net/http"
)

// APIError is an ECR error as it goes on the wire: X-Amzn-ErrorType and
// {"__type","message"} with the HTTP status ECR uses.
type APIError struct {
	Type    string
	Message string
	Status  int            // 0 means 400 (500 for ServerException)
	Extra   map[string]any // extra members, e.g. KmsException.kmsError
}

func (e *APIError) Error() string { return e.Type + ": " + e.Message }

func (e *APIError) status() int {
	if e.Status != 0 {
		return e.Status
	}
	if e.Type == "ServerException" {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

func toAPIError(err error) *APIError {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	return &APIError{Type: "ServerException", Status: http.StatusInternalServerError, Message: err.Error()}
}

// apiErr builds an error of a modelled type with a formatted message.
func apiErr(typ, format string, args ...any) *APIError {
	return &APIError{Type: typ, Message: fmt.Sprintf(format, args...)}
}

func errSerialization(msg string) *APIError {
	return &APIError{Type: "SerializationException", Message: msg}
}

// errInvalidParam is ECR's constraint-violation form.
func errInvalidParam(member, reason string) *APIError {
	return apiErr("InvalidParameterException",
		"Invalid parameter at '%s' failed to satisfy constraint: '%s'", member, reason)
}

// errValidation is used by the newer operations for semantic rule violations.
func errValidation(format string, args ...any) *APIError {
	return apiErr("ValidationException", format, args...)
}

func errRepositoryNotFound(name, registryID string) *APIError {
	return apiErr("RepositoryNotFoundException",
		"The repository with name '%s' does not exist in the registry with id '%s'", name, registryID)
}

func errImageNotFound(format string, args ...any) *APIError {
	return apiErr("ImageNotFoundException", format, args...)
}
