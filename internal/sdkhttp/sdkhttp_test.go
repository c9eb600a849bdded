package sdkhttp_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrkit/terraform-provider-ecr/internal/emulator"
	"github.com/ecrkit/terraform-provider-ecr/internal/sdkhttp"
)

// slowConn makes the race of aws-sdk-go-v2#2737 certain: each Write returns
// writeDelay after its bytes are sent (the writer goroutine descheduled
// while the server answers), and the answer arrives in small pieces, so it
// is still being read when the writer checks the request body.
type slowConn struct {
	net.Conn
}

const (
	writeDelay = 100 * time.Millisecond
	readChunk  = 512
	readDelay  = 20 * time.Millisecond
)

func (c slowConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	time.Sleep(writeDelay)
	return n, err
}

func (c slowConn) Read(b []byte) (int, error) {
	time.Sleep(readDelay)
	return c.Conn.Read(b[:min(len(b), readChunk)])
}

func slowClient() *awshttp.BuildableClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		dial := tr.DialContext
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return slowConn{c}, nil
		}
	})
}

// With the SDK's own request body, the writer's late check closes the
// connection under an answer of 40 repositories (about 14 KB) being read;
// with Wrap, the answer is read whole.
func TestWrap_keepsTheConnectionUnderTheAnswer(t *testing.T) {
	srv := httptest.NewServer(emulator.New())
	t.Cleanup(srv.Close)
	opts := ecr.Options{Region: "us-west-2", BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
	ctx := context.Background()
	var names []string
	for i := range 40 {
		name := fmt.Sprintf("sdkhttp/repository-%02d", i)
		names = append(names, name)
		if _, err := ecr.New(opts).CreateRepository(ctx, &ecr.CreateRepositoryInput{RepositoryName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	describe := func(hc aws.HTTPClient) error {
		c := ecr.New(opts, func(o *ecr.Options) { o.HTTPClient = hc })
		out, err := c.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: names})
		if err == nil && len(out.Repositories) != len(names) {
			err = fmt.Errorf("%d repositories, want %d", len(out.Repositories), len(names))
		}
		return err
	}

	if err := describe(slowClient()); err == nil || !strings.Contains(err.Error(), "use of closed network connection") {
		t.Errorf("the SDK's own body: got %v, want the closed connection of aws-sdk-go-v2#2737 "+
			"(if the SDK no longer closes request bodies early, sdkhttp may no longer be needed)", err)
	}
	if err := describe(sdkhttp.Wrap(slowClient())); err != nil {
		t.Errorf("Wrap: %v", err)
	}
}
