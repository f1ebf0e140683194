#include "visual/svg.hpp"

#include <fmt/format.h>

namespace conc_probe::visual {
namespace {

/// The classes every chart uses, inside each SVG so that a chart stands alone.
constexpr const char* kStyle =
    ".axis{stroke:#333;stroke-width:1}.grid{stroke:#ddd;stroke-width:1}"
    ".tick{fill:#444;font-size:11px}.label{fill:#222;font-size:12px}"
    ".panel-title{fill:#111;font-size:14px;font-weight:bold}.legend{fill:#222;font-size:12px}"
    ".note{fill:#555;font-size:11px}"
    ".ideal{stroke:#999;stroke-width:1.5;stroke-dasharray:2 3}"
    ".usable{stroke:#e69f00;stroke-width:1.5;stroke-dasharray:8 4}"
    ".hold{fill:#d62728}.wait{fill:#f7c6c7}.io{fill:#56b4e9}"
    ".box{fill-opacity:0.35;stroke-width:1.5}";

}  // namespace

std::string escape_xml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Svg::Svg(double width, double height, std::string_view label) {
  body_ = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {:.0f} {:.0f}\" width=\"{:.0f}\" "
      "height=\"{:.0f}\" role=\"img\" font-family=\"sans-serif\" font-size=\"12\">"
      "<title>{}</title>\n<style>{}</style>\n",
      width, height, width, height, escape_xml(label), kStyle);
}

void Svg::line(double x1, double y1, double x2, double y2, std::string_view style) {
  body_ += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" {}/>\n", x1,
                       y1, x2, y2, style);
}

void Svg::rect(double x, double y, double w, double h, std::string_view style) {
  body_ += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" {}/>\n",
                       x, y, w, h, style);
}

void Svg::circle(double cx, double cy, double r, std::string_view style) {
  body_ += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" {}/>\n", cx, cy, r, style);
}

void Svg::text(double x, double y, std::string_view content, std::string_view anchor,
               std::string_view style) {
  body_ += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"{}\" {}>{}</text>\n", x, y,
                       anchor, style, escape_xml(content));
}

void Svg::polyline(std::string_view points, std::string_view style) {
  body_ += fmt::format("<polyline fill=\"none\" points=\"{}\" {}/>\n", points, style);
}

void Svg::begin_group(std::string_view tooltip) {
  body_ += fmt::format("<g><title>{}</title>\n", escape_xml(tooltip));
}

void Svg::end_group() { body_ += "</g>\n"; }

std::string Svg::finish() const { return body_ + "</svg>\n"; }

std::string point(double x, double y) { return fmt::format("{:.1f},{:.1f} ", x, y); }

}  // namespace conc_probe::visual
