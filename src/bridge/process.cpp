#include "bridge/process.hpp"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <ostream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace wasmacro::bridge {
namespace {

std::vector<char*> c_argv(std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return argv;
}

int wait_for(pid_t pid, int otherwise) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return otherwise;
}

/// What this process wrote so far goes out before the child's output.
void flush_all() {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
}

} // namespace

int run_captured(std::vector<std::string> args, std::string& output, Capture capture) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    if (capture == Capture::Both) posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    std::vector<char*> argv = c_argv(args);
    if (capture == Capture::StdoutOnly) flush_all();
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (rc != 0) {
        close(fds[0]);
        output = std::strerror(rc);
        return -1;
    }
    std::array<char, 65536> buf;
    for (;;) {
        ssize_t n = read(fds[0], buf.data(), buf.size());
        if (n > 0)
            output.append(buf.data(), static_cast<size_t>(n));
        else if (n == 0 || errno != EINTR)
            break;
    }
    close(fds[0]);
    return wait_for(pid, -1);
}

int run_inherited(std::vector<std::string> args, std::ostream& err) {
    flush_all();
    std::vector<char*> argv = c_argv(args);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
    if (rc != 0) {
        err << "error: wasmacro: cannot run " << args[0] << ": " << std::strerror(rc) << "\n";
        return 127;
    }
    return wait_for(pid, 1);
}

int exec(std::vector<std::string> args, std::ostream& err) {
    flush_all();
    std::vector<char*> argv = c_argv(args);
    execvp(argv[0], argv.data());
    err << "error: wasmacro: cannot run " << args[0] << ": " << std::strerror(errno) << "\n";
    return 127;
}

std::string command_line(const std::vector<std::string>& args) {
    std::string line;
    for (const std::string& a : args) {
        if (!line.empty()) line += ' ';
        line += a;
    }
    return line;
}

} // namespace wasmacro::bridge
