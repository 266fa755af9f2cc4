#include "shared_library.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

namespace pss::ci {

SharedLibrary::SharedLibrary(std::initializer_list<const char*> names, std::string package) {
    std::string tried;
    for (const char* name : names) {
        handle_ = ::dlopen(name, RTLD_NOW | RTLD_LOCAL);
        if (handle_ != nullptr) {
            name_ = name;
            return;
        }
        tried += fmt::format("{}{}", tried.empty() ? "" : ", ", name);
    }
    error_ = fmt::format("{} is not installed (tried {}): install it (Debian: apt-get install {})",
                         *names.begin(), tried, package);
}

void* SharedLibrary::address(const char* symbol) {
    if (handle_ == nullptr) return nullptr;
    void* found = ::dlsym(handle_, symbol);
    if (found == nullptr && error_.empty())
        error_ = fmt::format("{} has no {}: it is too old for pss; install a newer one", name_, symbol);
    return found;
}

}  // namespace pss::ci
