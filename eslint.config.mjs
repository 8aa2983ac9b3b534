// ESLint for the project's own browser scripts: classic scripts (no modules), run as they are
// served, with no build step.
import js from "@eslint/js";
import globals from "globals";

export default [
  {
    ignores: ["**/node_modules/**", "staticfiles/**", ".venv/**", "tests/browser/**"],
  },
  js.configs.recommended,
  {
    files: ["static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: "script",
      globals: { ...globals.browser },
    },
    rules: {
      "no-var": "off",
      eqeqeq: ["error", "always"],
      "no-implicit-globals": "error",
      "no-unused-vars": ["error", { args: "after-used" }],
      strict: ["error", "function"],
    },
  },
];
