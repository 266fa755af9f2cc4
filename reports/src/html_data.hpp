// The HTML report's embedded data (compact JSON, safe inside <script>).
#pragma once

#include <string>

#include "pss/scoring/results.hpp"

namespace pss::reports {

// {"v":1,"fail_below":80,"baseline":"main","tests":[{"n":name,"s":suite,"v":verdict,"p":pss,
//  "r":runs,"x":failures,"g":fails gate,"ss":[sub-scores],"d":[us per run],"m":[bytes per run],
//  "fl":"0010" failed runs,"fs":[[run,type,file,line,message,output]],"o":[notes],"t":[trend],...}]}
std::string html_data(const RunResults& report);

}  // namespace pss::reports
