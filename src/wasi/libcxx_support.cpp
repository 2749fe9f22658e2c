// What wasmacro needs of libc++ on wasm32-wasip1 that Debian's wasm32
// libc++ (configured without filesystem support) does not have compiled in:
// the file streams, instantiated here from libc++'s own headers, and the five
// std::filesystem operations the driver and the pre-expander call, written
// over wasi-libc's POSIX calls. See cmake/wasm32-wasip1.cmake.
#include <cerrno>
#include <cstdio>
#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

template class std::basic_filebuf<char>;
template class std::basic_ifstream<char>;
template class std::basic_ofstream<char>;

_LIBCPP_BEGIN_NAMESPACE_FILESYSTEM

namespace {

/// Reports errno `error` for `operation` on `p`: in `ec` if given, else by
/// throwing.
void fail(error_code* ec, int error, const char* operation, const path& p) {
    error_code code(error, generic_category());
    if (ec) {
        *ec = code;
        return;
    }
    throw filesystem_error(operation, p, code);
}

void succeed(error_code* ec) {
    if (ec) ec->clear();
}

} // namespace

file_status __status(const path& p, error_code* ec) {
    struct stat st;
    if (::stat(p.c_str(), &st) != 0) {
        int error = errno;
        if (error == ENOENT || error == ENOTDIR) {
            if (ec) *ec = error_code(error, generic_category());
            return file_status(file_type::not_found);
        }
        fail(ec, error, "status", p);
        return file_status(file_type::none);
    }
    succeed(ec);
    file_type type = S_ISDIR(st.st_mode)   ? file_type::directory
                     : S_ISREG(st.st_mode) ? file_type::regular
                     : S_ISLNK(st.st_mode) ? file_type::symlink
                                           : file_type::unknown;
    return file_status(type, static_cast<perms>(st.st_mode & 07777));
}

path __absolute(const path& p, error_code* ec) {
    succeed(ec);
    if (p.is_absolute()) return p;
    std::string cwd(4096, '\0');
    if (!::getcwd(cwd.data(), cwd.size())) {
        fail(ec, errno, "absolute", p);
        return {};
    }
    cwd.resize(cwd.find('\0'));
    return path(cwd) / p;
}

bool __create_directories(const path& p, error_code* ec) {
    succeed(ec);
    if (p.empty()) return false;
    struct stat st;
    if (::stat(p.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) fail(ec, EEXIST, "create_directories", p);
        return false;
    }
    path parent = p.parent_path();
    if (!parent.empty() && parent != p) {
        __create_directories(parent, ec);
        if (ec && *ec) return false;
    }
    if (::mkdir(p.c_str(), 0777) != 0 && errno != EEXIST) {
        fail(ec, errno, "create_directories", p);
        return false;
    }
    return true;
}

void __rename(const path& from, const path& to, error_code* ec) {
    succeed(ec);
    if (::rename(from.c_str(), to.c_str()) != 0) fail(ec, errno, "rename", from);
}

uintmax_t __remove_all(const path& p, error_code* ec) {
    succeed(ec);
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) {
        if (errno != ENOENT) fail(ec, errno, "remove_all", p);
        return 0;
    }
    uintmax_t removed = 0;
    if (S_ISDIR(st.st_mode)) {
        if (DIR* dir = ::opendir(p.c_str())) {
            while (dirent* entry = ::readdir(dir)) {
                std::string name = entry->d_name;
                if (name == "." || name == "..") continue;
                removed += __remove_all(p / name, ec);
                if (ec && *ec) break;
            }
            ::closedir(dir);
        }
        if (ec && *ec) return removed;
        if (::rmdir(p.c_str()) != 0) {
            fail(ec, errno, "remove_all", p);
            return removed;
        }
    } else if (::unlink(p.c_str()) != 0) {
        fail(ec, errno, "remove_all", p);
        return removed;
    }
    return removed + 1;
}

_LIBCPP_END_NAMESPACE_FILESYSTEM
