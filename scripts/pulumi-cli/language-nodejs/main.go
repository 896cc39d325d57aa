// Command pulumi-language-nodejs is this project's own Node.js language host
// for the Pulumi CLI.
//
// Pulumi publishes its Node.js language host as a Go module of its own
// (sdk/nodejs/cmd/pulumi-language-nodejs/v3), but the module proxy these
// machines reach does not serve it, so the CLI built here would have no way
// to run a Node.js program. This host implements the part of the
// LanguageRuntime gRPC service that `pulumi preview|up|refresh|destroy` and the
// Automation API use: it starts `node @pulumi/pulumi/cmd/run` with the
// arguments and environment the SDK expects (monitor and engine addresses,
// stack config as PULUMI_CONFIG, TypeScript through ts-node), waits for it and
// reports the result. It also runs Node.js policy packs (`pulumi preview
// --policy-pack <dir>`): the pinned engine starts a policy pack through the
// language host's RunPlugin, not through a `pulumi-analyzer-policy` shim. The
// rest of the service (code generation, packing, dependency installation,
// templates) answers Unimplemented, which the engine tolerates for everything
// these commands need.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"time"

	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// exitAfterUserActionableMessage is the exit code @pulumi/pulumi's cmd/run uses
// when it has already printed an error the user can act on: the engine then
// stops without adding a message of its own.
const exitAfterUserActionableMessage = 32

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	cancel        context.Context
}

func main() {
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	flag.String("tracing", "", "accepted for compatibility; tracing is not supported")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}

	var engineAddress string
	if flag.NArg() > 0 {
		engineAddress = flag.Arg(0)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	done := make(chan bool)
	go func() {
		<-ctx.Done()
		close(done)
	}()
	if engineAddress != "" {
		// Exit when the engine goes away, as Pulumi's own plugins do.
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			fatal(fmt.Errorf("could not start the engine health check: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: done,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &languageHost{engineAddress: engineAddress, cancel: ctx})
			return nil
		},
	})
	if err != nil {
		fatal(fmt.Errorf("could not start the language host: %w", err))
	}
	// The engine reads the port from the first line of standard output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fatal(fmt.Errorf("language host stopped serving: %w", err))
	}
}

func fatal(err error) {
	fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
	os.Exit(1)
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// A program that uses only @pulumi/pulumi (dynamic providers included) needs
// no plugin, and automatic plugin acquisition is off on these machines anyway.
func (h *languageHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *languageHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

// Run starts the program under @pulumi/pulumi's cmd/run and waits for it.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	if info == nil {
		return &pulumirpc.RunResponse{Error: "the engine sent no program information"}, nil
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the PATH: " + err.Error()}, nil
	}
	runScript, err := findInNodeModules(info.GetProgramDirectory(), "@pulumi/pulumi/cmd/run")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	cfg, err := configJSON(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not pass the stack config to the program: " + err.Error()}, nil
	}
	secretKeys, err := json.Marshal(nonNil(req.GetConfigSecretKeys()))
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	env := append(os.Environ(), "PULUMI_CONFIG="+cfg, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	options := info.GetOptions().AsMap()
	if ts, ok := options["typescript"].(bool); !ok || ts {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if tsconfig, ok := options["tsconfig"].(string); ok && tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}

	args := []string{runScript}
	flagIfSet := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIfSet("monitor", req.GetMonitorAddress())
	flagIfSet("engine", h.engineAddress)
	flagIfSet("organization", req.GetOrganization())
	flagIfSet("project", req.GetProject())
	flagIfSet("root-directory", info.GetRootDirectory())
	flagIfSet("stack", req.GetStack())
	flagIfSet("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagIfSet("parallel", strconv.Itoa(int(req.GetParallel())))
	entry := info.GetEntryPoint()
	if entry == "" {
		entry = "."
	}
	args = append(args, entry)
	args = append(args, req.GetArgs()...)

	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	context.AfterFunc(h.cancel, cancelRun)
	cmd := exec.CommandContext(runCtx, node, args...)
	cmd.Env = env
	// Node may switch its stdio to non-blocking mode; a wrapper keeps it off
	// this process's own file descriptors.
	cmd.Stdout = struct{ *os.File }{os.Stdout}
	cmd.Stderr = struct{ *os.File }{os.Stderr}
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second

	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == exitAfterUserActionableMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: "could not run node: " + err.Error()}, nil
	}
}

// RunPlugin runs a Node.js policy pack (kind "analyzer"), the way Pulumi's own
// host does: @pulumi/pulumi's cmd/run-policy-pack with the pack's folder last,
// in that folder, behind sdk.PolicyProxy, which answers the engine's
// ConfigureStack and hands the stack's identity and config to the pack as the
// environment run-policy-pack reads. Beyond Pulumi's host, it also passes
// PULUMI_CONFIG_SECRET_KEYS (which config keys the stack stores as secure:),
// as Run does for programs. Other plugin kinds are not run by this host.
func (h *languageHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	if req.GetKind() != string(apitype.AnalyzerPlugin) {
		return fmt.Errorf("this project's Node.js language host runs policy packs only, not %q plugins", req.GetKind())
	}
	info := req.GetInfo()
	if info == nil {
		return errors.New("the engine sent no policy pack information")
	}
	ctx := server.Context()
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()

	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the PATH: %w", err)
	}
	runScript, err := findInNodeModules(info.GetProgramDirectory(), "@pulumi/pulumi/cmd/run-policy-pack")
	if err != nil {
		return err
	}
	env := req.GetEnv()
	options := info.GetOptions().AsMap()
	if ts, ok := options["typescript"].(bool); !ok || ts {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}

	// The proxy prints its own port for the engine and waits for the stack's
	// configuration before the pack starts.
	proxy, stdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("could not start the policy pack proxy: %w", err)
	}
	stack, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not get the stack configuration: %w", err)
	}
	if stack != nil {
		setIf := func(k, v string) {
			if v != "" {
				env = append(env, k+"="+v)
			}
		}
		setIf("PULUMI_NODEJS_ORGANIZATION", stack.GetOrganization())
		setIf("PULUMI_NODEJS_PROJECT", stack.GetProject())
		setIf("PULUMI_NODEJS_STACK", stack.GetStack())
		setIf("PULUMI_NODEJS_DRY_RUN", strconv.FormatBool(stack.GetDryRun()))
		cfg, err := configJSON(stack.GetConfig())
		if err != nil {
			return fmt.Errorf("could not pass the stack config to the policy pack: %w", err)
		}
		secretKeys, err := json.Marshal(nonNil(stack.GetConfigSecretKeys()))
		if err != nil {
			return err
		}
		env = append(env, "PULUMI_CONFIG="+cfg, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	}

	args := append([]string{runScript}, req.GetArgs()...)
	args = append(args, info.GetProgramDirectory())
	cmd := exec.CommandContext(ctx, node, args...)
	// Policy packs run in their own folder, as they always have.
	cmd.Dir = info.GetProgramDirectory()
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not run node: %w", err)
	}
	if err := proxy.Attach(ctx, cmd); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("policy pack exited with non-zero exit code: %d", exit.ExitCode())
		}
		return err
	}
	return closer.Close()
}

// configJSON renders the stack config the way @pulumi/pulumi reads it from
// PULUMI_CONFIG: keys as `<namespace>:config:<name>`, the form every SDK
// version understands.
func configJSON(in map[string]string) (string, error) {
	out := make(map[string]string, len(in))
	for k, v := range in {
		key, err := config.ParseKey(k)
		if err != nil {
			return "", err
		}
		out[key.Namespace()+":config:"+key.Name()] = v
	}
	text, err := json.Marshal(out)
	return string(text), err
}

func nonNil(keys []string) []string {
	if keys == nil {
		return []string{}
	}
	return keys
}

// findInNodeModules resolves a package path the way Node does for a program
// in dir: the nearest node_modules folder, walking up.
func findInNodeModules(dir, module string) (string, error) {
	start, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := start; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", filepath.FromSlash(module))
		if st, err := os.Stat(candidate); err == nil && st.IsDir() {
			return candidate, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("could not find %s from %s: run `npm ci` (or `npm install`) in the project first", module, start)
		}
	}
}
