// The widget manager of coopkit's Voilà page: the official ipywidgets models and views
// (@jupyter-widgets/base and /controls) over one kernel connection (@jupyterlab/services),
// without JupyterLab's application, renderers, editors or themes.
//
// It does what @jupyter-widgets/base-manager leaves to a subclass: open comms on the
// kernel, list them, and find a widget's class. Classes come from the bundle only (no
// module is ever fetched from elsewhere); an unknown one shows an empty error box.

import * as base from '@jupyter-widgets/base';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import * as controls from '@jupyter-widgets/controls';
import { Widget } from '@lumino/widgets';

import * as output from './output.js';

const MODULES = {
  '@jupyter-widgets/base': base,
  '@jupyter-widgets/controls': controls,
  '@jupyter-widgets/output': output,
};

/** Text made safe for innerHTML. */
export function escapeHtml(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

export class PageWidgetManager extends ManagerBase {
  constructor(kernel) {
    super();
    this.kernel = kernel;
    // widgets the kernel creates later (the form after joining, a new page...)
    kernel.registerCommTarget(this.comm_target_name, (comm, msg) => {
      this.handle_comm_open(new base.shims.services.Comm(comm), msg).catch((err) => {
        console.error('coopkit page: a widget could not be created', err);
      });
    });
  }

  async _create_comm(targetName, modelId, data, metadata, buffers) {
    const comm = this.kernel.createComm(targetName, modelId);
    if (data || metadata) {
      comm.open(data, metadata, buffers);
    }
    return new base.shims.services.Comm(comm);
  }

  async _get_comm_info() {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return reply.content.status === 'ok' ? reply.content.comms : {};
  }

  async loadClass(className, moduleName) {
    const found = MODULES[moduleName] && MODULES[moduleName][className];
    if (!found) {
      throw new Error(`coopkit page: no widget class ${moduleName}.${className}`);
    }
    return found;
  }

  /**
   * Descriptions written as HTML (``description_allow_html``) are shown as text: coopkit
   * labels are plain text, and no HTML sanitiser has to be shipped to every phone.
   */
  inline_sanitize(source) {
    return escapeHtml(source);
  }

  /** Fetch every widget's state from the kernel (one round trip: the control comm). */
  async load() {
    await this._loadFromKernel();
  }

  /** Draw the view of ``modelId`` in place of ``placeholder``. */
  async displayInPlace(modelId, placeholder) {
    const model = await this.get_model(modelId);
    const view = await this.create_view(model);
    const host = document.createElement('div');
    host.className = 'coopkit-output';
    placeholder.replaceWith(host);
    Widget.attach(view.luminoWidget, host);
    return view;
  }
}
