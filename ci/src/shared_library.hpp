// A system library opened when first needed (dlopen) instead of linked:
// libcurl (alerts, Pushgateway) and libpq (a PostgreSQL history) each bring
// OpenSSL and twenty-odd libraries, whose loading and start-up made every pss
// command, pss-run included, start in 11 ms instead of 2. A missing library
// is a clear error where it is needed, not a failure to start.
#pragma once

#include <initializer_list>
#include <string>

namespace pss::ci {

class SharedLibrary {
public:
    // Opens the first of `names` that loads (for example libcurl.so.4);
    // `package` is what to install when none does (for the error).
    SharedLibrary(std::initializer_list<const char*> names, std::string package);
    SharedLibrary(const SharedLibrary&) = delete;
    SharedLibrary& operator=(const SharedLibrary&) = delete;

    // Sets `function` to the library's `symbol`; false, with error(), when
    // the library did not load or has no such symbol (too old).
    template <class F>
    bool bind(F*& function, const char* symbol) {
        function = reinterpret_cast<F*>(address(symbol));
        return function != nullptr;
    }
    const std::string& error() const { return error_; }

private:
    void* address(const char* symbol);

    void* handle_ = nullptr;  // never closed: the functions stay bound until exit
    std::string name_, error_;
};

}  // namespace pss::ci
