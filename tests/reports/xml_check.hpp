// Reads XML with libxml2, a real parser: well-formedness and XPath queries.
#pragma once

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <libxml/xpath.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace pss::test {

class XmlDoc {
public:
    // Parses `xml`; error() is empty when it is well-formed.
    explicit XmlDoc(const std::string& xml) {
        xmlResetLastError();
        doc_ = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "report.xml", "UTF-8",
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc_) {
            const xmlError* e = xmlGetLastError();
            error_ = e && e->message ? std::string(e->message) + " at line " + std::to_string(e->line) : "parse failed";
        }
    }
    ~XmlDoc() {
        if (doc_) xmlFreeDoc(doc_);
    }
    XmlDoc(const XmlDoc&) = delete;
    XmlDoc& operator=(const XmlDoc&) = delete;

    const std::string& error() const { return error_; }

    // The string values of what `xpath` selects (attributes, text, elements).
    std::vector<std::string> values(const std::string& xpath) const {
        std::vector<std::string> out;
        if (!doc_) return out;
        std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> ctx(xmlXPathNewContext(doc_),
                                                                             xmlXPathFreeContext);
        std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> obj(
            xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), ctx.get()), xmlXPathFreeObject);
        if (!obj || !obj->nodesetval) return out;
        for (int i = 0; i < obj->nodesetval->nodeNr; ++i) {
            xmlChar* s = xmlNodeGetContent(obj->nodesetval->nodeTab[i]);
            out.emplace_back(s ? reinterpret_cast<const char*>(s) : "");
            xmlFree(s);
        }
        return out;
    }
    std::size_t count(const std::string& xpath) const { return values(xpath).size(); }
    std::string value(const std::string& xpath) const {
        auto v = values(xpath);
        return v.empty() ? std::string("<none>") : v.front();
    }

private:
    xmlDocPtr doc_ = nullptr;
    std::string error_;
};

// libxml2's printf-style error callback: appends to the std::string at `ctx`.
inline void collect_schema_error(void* ctx, const char* fmt, ...) {
    char buf[1024];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    *static_cast<std::string*>(ctx) += buf;
}

// Validates `xml` against the XML Schema at `xsd_path`; returns the
// validator's complaints, empty when the document is valid.
inline std::string schema_errors(const std::string& xml, const std::string& xsd_path) {
    std::string errors;
    xmlValidityErrorFunc collect = collect_schema_error;
    xmlSchemaParserCtxtPtr parser = xmlSchemaNewParserCtxt(xsd_path.c_str());
    xmlSchemaSetParserErrors(parser, collect, collect, &errors);
    xmlSchemaPtr schema = xmlSchemaParse(parser);
    xmlSchemaFreeParserCtxt(parser);
    if (!schema) return "cannot read the schema " + xsd_path + ": " + errors;
    xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "junit.xml", "UTF-8", XML_PARSE_NONET);
    if (!doc) {
        xmlSchemaFree(schema);
        return "not well-formed";
    }
    xmlSchemaValidCtxtPtr valid = xmlSchemaNewValidCtxt(schema);
    xmlSchemaSetValidErrors(valid, collect, collect, &errors);
    const int rc = xmlSchemaValidateDoc(valid, doc);
    xmlSchemaFreeValidCtxt(valid);
    xmlFreeDoc(doc);
    xmlSchemaFree(schema);
    if (rc != 0 && errors.empty()) errors = "invalid (code " + std::to_string(rc) + ")";
    return errors;
}

}  // namespace pss::test
