// Command pulumi-language-nodejs is this project's own Node.js language host
// for the Pulumi CLI.
//
// Pulumi publishes its Node.js language host as a Go module of its own
// (sdk/nodejs/cmd/pulumi-language-nodejs/v3), but the module proxy these
// machines reach does not serve it, so the CLI built here would have no way
// to run a Node.js program. This host implements the part of the
// LanguageRuntime gRPC service that `pulumi preview|up|refresh|destroy` and the
// Automation API use, passing a program and a policy pack exactly what
// Pulumi's v3.274.1 host passes them: the same environment, arguments, working
// directory, resource monitor proxy, synchronous-invoke pipes and node
// arguments, @pulumi/pulumi found with Node's own require.resolve from the
// program's folder, and Cancel stopping the program. docs/pulumi-cli.md lists
// it row by row. BIRDEYE_CLOUD9_HOST=official asks for that mode by name (the
// tests set it); it is also what this host does without it: nothing differs.
// The rest of the service (code generation, packing, dependency installation,
// templates, plugin discovery) answers Unimplemented or nothing, which the
// engine tolerates for everything these commands need.
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
	"strconv"
	"strings"
	"time"

	"github.com/google/shlex"
	sdk "github.com/pulumi/pulumi/sdk/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// exitAfterUserActionableMessage is the exit code @pulumi/pulumi's cmd/run uses
// when it has already printed an error the user can act on: the engine then
// stops without adding a message of its own.
const exitAfterUserActionableMessage = 32

// hostModeVar names the mode: "official" (Pulumi's host, exactly), or unset,
// which is the same; any other value stops every run with a message.
const hostModeVar = "BIRDEYE_CLOUD9_HOST"

type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	tracing       string
	modeProblem   error
	// Ended by the Cancel call, as in Pulumi's host: it stops a running program.
	cancelCtx  context.Context
	cancelFunc context.CancelFunc
}

func hostMode(value string) error {
	if value == "" || value == "official" {
		return nil
	}
	return fmt.Errorf("%s=%q is not a mode of this project's language host: unset it, or set it to official "+
		"(pass a program and a policy pack exactly what Pulumi's own host passes)", hostModeVar, value)
}

func main() {
	showVersion := flag.Bool("version", false, "print the plugin version and exit")
	tracing := flag.String("tracing", "", "tracing endpoint, passed on to the program as --tracing")
	runtimeName := flag.String("runtime", "nodejs", "the runtime; this host runs nodejs only")
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	if *runtimeName != "nodejs" {
		fatal(fmt.Errorf("unsupported runtime: %s (this project's host runs nodejs only)", *runtimeName))
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

	cancelCtx, cancelFunc := context.WithCancel(context.Background())
	host := &languageHost{
		engineAddress: engineAddress,
		tracing:       *tracing,
		modeProblem:   hostMode(os.Getenv(hostModeVar)),
		cancelCtx:     cancelCtx,
		cancelFunc:    cancelFunc,
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: done,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
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

// Cancel stops the running program (SIGINT, then a kill after 5 s), as
// Pulumi's host does: the engine calls it when `pulumi up` is interrupted.
func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.cancelFunc()
	return &emptypb.Empty{}, nil
}

// nodeOptions are the runtime options of Pulumi.yaml / PulumiPolicy.yaml that
// change how a program starts, read as Pulumi's host reads them.
type nodeOptions struct {
	typescript bool
	tsconfig   string
	nodeargs   []string
}

func parseOptions(options map[string]any) (nodeOptions, error) {
	opts := nodeOptions{typescript: true}
	if v, ok := options["typescript"]; ok {
		ts, ok := v.(bool)
		if !ok {
			return opts, errors.New("typescript option must be a boolean")
		}
		opts.typescript = ts
	}
	if v, ok := options["tsconfig"]; ok {
		path, ok := v.(string)
		if !ok {
			return opts, errors.New("tsconfigpath option must be a string")
		}
		opts.tsconfig = path
	}
	if v, ok := options["nodeargs"]; ok {
		text, ok := v.(string)
		if !ok {
			return opts, errors.New("nodeargs option must be a string")
		}
		args, err := shlex.Split(text)
		if err != nil {
			return opts, err
		}
		opts.nodeargs = args
	}
	return opts, nil
}

func (o nodeOptions) env(env []string) []string {
	if o.typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if o.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+o.tsconfig)
	}
	return env
}

// resolveModule finds a module the way Node does for code in dir: node's own
// require.resolve run there, so package.json "exports", symlinked
// node_modules (the path is the real one) and NODE_PATH count as for the
// program itself.
func resolveModule(node, dir, module, install string) (string, error) {
	script := fmt.Sprintf(`try { console.log(require.resolve(%q)); } catch (error) { `+
		`if (error.code === "MODULE_NOT_FOUND") { console.error("It looks like the Pulumi SDK has not been installed. Have you run %s?"); } `+
		`else { console.error(error.message); } process.exit(1); }`, module, install)
	cmd := exec.Command(node, "-e", script)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", errors.New(strings.TrimSpace(string(exit.Stderr)))
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// Run starts the program under @pulumi/pulumi's cmd/run and waits for it.
func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if h.modeProblem != nil {
		return &pulumirpc.RunResponse{Error: h.modeProblem.Error()}, nil
	}
	info := req.GetInfo()
	if info == nil {
		return &pulumirpc.RunResponse{Error: "the engine sent no program information"}, nil
	}

	// The proxy and the pipes live as long as this call.
	serveCtx, stopServing := context.WithCancel(ctx)
	defer stopServing()
	monitor, err := startMonitorProxy(serveCtx, req.GetMonitorAddress())
	if err != nil {
		return nil, err
	}
	invokeConn, err := grpc.NewClient(req.GetMonitorAddress(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return nil, err
	}
	defer invokeConn.Close()
	syncDir, err := startSyncInvokes(serveCtx, pulumirpc.NewResourceMonitorClient(invokeConn))
	if err != nil {
		return nil, fmt.Errorf("could not make the synchronous invoke pipes: %w", err)
	}

	node, err := exec.LookPath("node")
	if err != nil {
		return &pulumirpc.RunResponse{Error: "could not find node on the $PATH: " + err.Error()}, nil
	}
	runPath := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH")
	if runPath == "" {
		runPath = "@pulumi/pulumi/cmd/run"
	}
	runScript, err := resolveModule(node, info.GetProgramDirectory(), runPath, "pulumi install")
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	cfg, err := configJSON(req.GetConfig())
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize configuration: " + err.Error()}, nil
	}
	secretKeys, err := json.Marshal(nonNil(req.GetConfigSecretKeys()))
	if err != nil {
		return &pulumirpc.RunResponse{Error: "failed to serialize configuration secret keys: " + err.Error()}, nil
	}
	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	env := opts.env(append(os.Environ(), "PULUMI_CONFIG="+cfg, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys)))

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runScript)
	flagIfSet := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIfSet("monitor", monitor)
	flagIfSet("engine", h.engineAddress)
	flagIfSet("sync", syncDir)
	flagIfSet("organization", req.GetOrganization())
	flagIfSet("project", req.GetProject())
	flagIfSet("root-directory", info.GetRootDirectory())
	flagIfSet("stack", req.GetStack())
	flagIfSet("pwd", info.GetProgramDirectory())
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagIfSet("parallel", strconv.Itoa(int(req.GetParallel())))
	flagIfSet("tracing", h.tracing)
	args = append(args, info.GetEntryPoint())
	args = append(args, req.GetArgs()...)

	// Stopped by Cancel or by the end of the engine's call.
	runCtx, cancelRun := context.WithCancel(h.cancelCtx)
	defer cancelRun()
	context.AfterFunc(ctx, cancelRun)
	cmd := exec.CommandContext(runCtx, node, args...)
	cmd.Env = env
	// Node may switch its stdio to non-blocking mode; a wrapper keeps it off
	// this process's own file descriptors (the program gets pipes, as there).
	cmd.Stdout = struct{ *os.File }{os.Stdout}
	cmd.Stderr = struct{ *os.File }{os.Stderr}
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			return cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = 5 * time.Second

	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return &pulumirpc.RunResponse{}, nil
	case errors.As(err, &exit) && exit.ExitCode() == exitAfterUserActionableMessage:
		return &pulumirpc.RunResponse{Bail: true}, nil
	case errors.As(err, &exit) && exit.ExitCode() == 0:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited unexpectedly: %v", err)}, nil
	case errors.As(err, &exit):
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exit.ExitCode())}, nil
	default:
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err)}, nil
	}
}

// RunPlugin runs a Node.js policy pack (kind "analyzer"), as Pulumi's host
// does: @pulumi/pulumi's cmd/run-policy-pack (resolved from the pack's
// folder), the pack's nodeargs and the engine's arguments after it, the pack's
// folder last, run in that folder, behind sdk.PolicyProxy, which answers the
// engine's ConfigureStack and hands the stack's identity and config to the
// pack as the environment run-policy-pack reads. The environment is the
// engine's (req.Env), not this host's, and holds no PULUMI_CONFIG_SECRET_KEYS:
// Pulumi's host does not pass which keys are secret to a pack. Other plugin
// kinds are not run by this host.
func (h *languageHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	if h.modeProblem != nil {
		return h.modeProblem
	}
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
		return err
	}
	opts, err := parseOptions(info.GetOptions().AsMap())
	if err != nil {
		return err
	}
	env := opts.env(req.GetEnv())
	runScript, err := resolveModule(node, info.GetProgramDirectory(), "@pulumi/pulumi/cmd/run-policy-pack",
		"npm install in "+info.GetProgramDirectory())
	if err != nil {
		return err
	}
	// Pulumi's host puts the pack's nodeargs after the script, so they reach
	// run-policy-pack as arguments, not node.
	args := append([]string{runScript}, opts.nodeargs...)
	args = append(args, req.GetArgs()...)
	args = append(args, info.GetProgramDirectory())

	// The proxy prints its own port for the engine and waits for the stack's
	// configuration before the pack starts.
	proxy, stdout, err := sdk.NewPolicyProxy(ctx, stdout)
	if err != nil {
		return fmt.Errorf("could not start policy pack proxy: %w", err)
	}
	stack, err := proxy.AwaitConfiguration(ctx)
	if err != nil {
		return fmt.Errorf("could not get stack configuration: %w", err)
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
		if stack.GetConfig() != nil {
			// The engine's keys as they are (`<namespace>:<name>`), as Pulumi's host passes them.
			cfg, err := json.Marshal(stack.GetConfig())
			if err != nil {
				return fmt.Errorf("could not marshal stack configuration: %w", err)
			}
			setIf("PULUMI_CONFIG", string(cfg))
		}
	}

	cmd := exec.CommandContext(ctx, node, args...)
	// Policy packs run in their own folder, as they always have.
	cmd.Dir = info.GetProgramDirectory()
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("Problem executing plugin program (could not run language executor): %w", err)
	}
	if err := proxy.Attach(ctx, cmd); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("Program exited with non-zero exit code: %d", exit.ExitCode())
		}
		return fmt.Errorf("could not attach policy pack proxy: %w", err)
	}
	return closer.Close()
}

// configJSON renders a program's stack config the way Pulumi's host does:
// keys as `<namespace>:config:<name>`, the form every SDK version understands.
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
